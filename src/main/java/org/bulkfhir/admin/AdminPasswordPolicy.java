package org.bulkfhir.admin;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * Stops the start-up, before any other bean is made, when {@code bulkfhir.admin.password} is set
 * but shorter than {@value #MIN_LENGTH} characters. Unset or empty keeps meaning "admin off"
 * (every admin URL answers 401). The {@code demo} profile's {@code demo-admin} is the one exception
 * ({@link AdminAccess} logs a loud warning for it).
 */
public class AdminPasswordPolicy implements BeanFactoryPostProcessor, EnvironmentAware {

	public static final int MIN_LENGTH = 12;
	static final String PROPERTY = "bulkfhir.admin.password";

	private Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		String password = Binder.get(environment).bind(PROPERTY, String.class).orElse(null);
		check(password, environment.acceptsProfiles(Profiles.of("demo")));
	}

	static void check(String password, boolean demoProfile) {
		if (password == null || password.isEmpty() || password.length() >= MIN_LENGTH) {
			return;
		}
		if (demoProfile && AdminAccess.DEMO_PASSWORD.equals(password)) {
			return;
		}
		throw new IllegalStateException(PROPERTY + " is too short (" + password.length() + " characters): it must have"
				+ " at least " + MIN_LENGTH + " characters. Use a long random password, or leave it unset to switch the"
				+ " admin UI and API off.");
	}
}
