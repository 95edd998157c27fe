package org.bulkfhir.dropin;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * A host application shaped like hapi-fhir-jpaserver-starter: HAPI's configuration classes, its own
 * RestfulServer, and nothing of bulkfhir except what {@code hapi.fhir.custom-bean-packages} scans.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(exclude = {ThymeleafAutoConfiguration.class, ElasticsearchRestClientAutoConfiguration.class})
@Import({StarterStyleJpaConfig.class, StarterStyleServerConfig.class})
public class StarterStyleApplication {}
