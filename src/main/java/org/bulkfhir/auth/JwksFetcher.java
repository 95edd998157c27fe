package org.bulkfhir.auth;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import org.apache.http.HttpEntity;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.entity.ContentType;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Fetches a client's JWKS for nimbus: the host is resolved and checked by {@link JwksUriPolicy}
 * first, and the connection goes to exactly the checked addresses (no second lookup a DNS
 * rebinding could answer differently). No redirects, no proxy, no retries, a timeout and a size
 * limit. Errors carry the detail for the log; callers never see it.
 */
class JwksFetcher implements ResourceRetriever {

	static final int MAX_BYTES = 256 * 1024;

	private final JwksUriPolicy policy;
	private final RequestConfig config;

	JwksFetcher(JwksUriPolicy policy, Duration timeout) {
		this.policy = policy;
		int millis = (int) timeout.toMillis();
		this.config = RequestConfig.custom()
				.setConnectTimeout(millis)
				.setConnectionRequestTimeout(millis)
				.setSocketTimeout(millis)
				.setRedirectsEnabled(false)
				.build();
	}

	@Override
	public Resource retrieveResource(URL url) throws IOException {
		URI uri;
		try {
			uri = url.toURI();
		} catch (URISyntaxException e) {
			throw new IOException("jwksUri is not a URI: " + url);
		}
		InetAddress[] addresses = policy.resolve(JwksUriPolicy.host(uri));
		try {
			policy.checkScheme(uri, addresses);
		} catch (IllegalArgumentException refused) {
			throw new IOException(refused.getMessage());
		}
		try (CloseableHttpClient http = HttpClients.custom()
						.setDnsResolver(host -> addresses)
						.setDefaultRequestConfig(config)
						.disableRedirectHandling()
						.disableAutomaticRetries()
						.disableCookieManagement()
						.disableAuthCaching()
						.setMaxConnTotal(1)
						.build();
				CloseableHttpResponse response = http.execute(new HttpGet(uri))) {
			int status = response.getStatusLine().getStatusCode();
			HttpEntity entity = response.getEntity();
			if (status != 200 || entity == null) {
				throw new IOException("jwksUri " + uri + " answered HTTP " + status + " (redirects are not followed)");
			}
			ContentType type = ContentType.get(entity);
			return new Resource(read(entity.getContent()), type == null ? null : type.getMimeType());
		}
	}

	private static String read(InputStream in) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		int n;
		while ((n = in.read(buffer)) >= 0) {
			out.write(buffer, 0, n);
			if (out.size() > MAX_BYTES) {
				throw new IOException("JWKS larger than " + MAX_BYTES + " bytes");
			}
		}
		return out.toString(StandardCharsets.UTF_8);
	}
}
