package org.bulkfhir.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.support.SpringBootServletInitializer;

/**
 * The runnable WAR: a stock HAPI FHIR JPA R4 server at {@code /fhir} with the bulkfhir plugin.
 * {@code java -jar bulkfhir.war}, or deploy the WAR to a servlet container.
 */
@SpringBootApplication(exclude = {ThymeleafAutoConfiguration.class, ElasticsearchRestClientAutoConfiguration.class})
public class BulkFhirServerApplication extends SpringBootServletInitializer {

	public static void main(String[] args) {
		SpringApplication.run(BulkFhirServerApplication.class, args);
	}

	@Override
	protected SpringApplicationBuilder configure(SpringApplicationBuilder builder) {
		return builder.sources(BulkFhirServerApplication.class);
	}
}
