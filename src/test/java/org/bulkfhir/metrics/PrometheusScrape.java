package org.bulkfhir.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of {@code /actuator/prometheus}, parsed: each sample's name, labels and value. */
record PrometheusScrape(List<Sample> samples) {

	record Sample(String name, Map<String, String> labels, double value) {}

	private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?$");
	private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	static PrometheusScrape parse(String text) {
		List<Sample> samples = new ArrayList<>();
		for (String line : text.split("\n")) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			Matcher m = LINE.matcher(line.strip());
			if (!m.matches()) {
				throw new IllegalArgumentException("Not a Prometheus sample line: " + line);
			}
			Map<String, String> labels = new LinkedHashMap<>();
			if (m.group(2) != null) {
				Matcher l = LABEL.matcher(m.group(2));
				while (l.find()) {
					labels.put(l.group(1), l.group(2));
				}
			}
			samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
		}
		return new PrometheusScrape(samples);
	}

	/** The sum of the samples of that name whose labels include the given ones (0 when there is none). */
	double value(String name, String... labelPairs) {
		return matching(name, labelPairs).stream().mapToDouble(Sample::value).sum();
	}

	List<Sample> matching(String name, String... labelPairs) {
		return samples.stream()
				.filter(s -> s.name().equals(name))
				.filter(s -> {
					for (int i = 0; i < labelPairs.length; i += 2) {
						if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
							return false;
						}
					}
					return true;
				})
				.toList();
	}

	boolean has(String name) {
		return samples.stream().anyMatch(s -> s.name().equals(name));
	}
}
