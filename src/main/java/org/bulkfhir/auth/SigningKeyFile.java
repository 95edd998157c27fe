package org.bulkfhir.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.Base64;

/**
 * Reads the token-signing key of {@code bulkfhir.auth.signing-key-file}: an RSA private key of at
 * least 2048 bits as PEM ({@code BEGIN PRIVATE KEY}, PKCS#8, or {@code BEGIN RSA PRIVATE KEY},
 * PKCS#1, as {@code openssl genrsa}/{@code genpkey} write them) or as a JWK. Its key id is always the
 * RFC 7638 thumbprint, so two different keys never share one.
 */
final class SigningKeyFile {

	static final String SETTING = "bulkfhir.auth.signing-key-file";
	private static final byte[] RSA_ALGORITHM_IDENTIFIER = {
		0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
	};

	private SigningKeyFile() {}

	static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.US_ASCII);
		} catch (IOException | RuntimeException e) {
			throw new IllegalArgumentException(SETTING + " " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
		}
	}

	/** The key with its thumbprint as kid; IllegalArgumentException naming the setting if unusable. */
	static RSAKey parse(String content, Path file) {
		String text = content.strip();
		RSAKey key;
		try {
			if (text.startsWith("{")) {
				JWK jwk = JWK.parse(text);
				if (!(jwk instanceof RSAKey rsa)) {
					throw invalid(file, "holds a " + jwk.getKeyType() + " key; token signing needs an RSA key");
				}
				key = rsa;
			} else if (text.contains("-----BEGIN PRIVATE KEY-----")) {
				key = fromPkcs8(pem(text, "PRIVATE KEY"));
			} else if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
				key = fromPkcs8(pkcs1ToPkcs8(pem(text, "RSA PRIVATE KEY")));
			} else if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
				throw invalid(file, "holds an encrypted key; give the key unencrypted and protect the file instead");
			} else {
				throw invalid(file, "is neither a PEM private key nor a JWK");
			}
		} catch (ParseException | GeneralSecurityException | IllegalArgumentException e) {
			if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
					&& iae.getMessage().startsWith(SETTING)) {
				throw iae;
			}
			throw invalid(file, "cannot be parsed as an RSA private key (" + e.getClass().getSimpleName() + ")");
		}
		if (!key.isPrivate()) {
			throw invalid(file, "holds a public key only; the server needs the private key to sign tokens");
		}
		if (key.size() < PublicJwks.MIN_RSA_BITS) {
			throw invalid(file, "holds an RSA key of " + key.size() + " bits; at least " + PublicJwks.MIN_RSA_BITS
					+ " are needed");
		}
		try {
			return new RSAKey.Builder(key).keyID(key.computeThumbprint().toString()).build();
		} catch (com.nimbusds.jose.JOSEException e) {
			throw invalid(file, "has no computable thumbprint");
		}
	}

	private static RSAKey fromPkcs8(byte[] der) throws GeneralSecurityException {
		KeyFactory factory = KeyFactory.getInstance("RSA");
		if (!(factory.generatePrivate(new PKCS8EncodedKeySpec(der)) instanceof RSAPrivateCrtKey crt)) {
			throw new GeneralSecurityException("not an RSA CRT private key");
		}
		RSAPublicKey publicKey = (RSAPublicKey) factory.generatePublic(
				new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
		return new RSAKey.Builder(publicKey).privateKey(crt).build();
	}

	private static byte[] pem(String text, String label) {
		String begin = "-----BEGIN " + label + "-----";
		String end = "-----END " + label + "-----";
		int from = text.indexOf(begin) + begin.length();
		int to = text.indexOf(end, from);
		if (to < 0) {
			throw new IllegalArgumentException("no " + end);
		}
		return Base64.getMimeDecoder().decode(text.substring(from, to));
	}

	/** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey: version 0, rsaEncryption, the key. */
	private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes(new byte[] {0x02, 0x01, 0x00});
		body.writeBytes(RSA_ALGORITHM_IDENTIFIER);
		body.write(0x04);
		body.writeBytes(derLength(pkcs1.length));
		body.writeBytes(pkcs1);
		ByteArrayOutputStream sequence = new ByteArrayOutputStream();
		sequence.write(0x30);
		sequence.writeBytes(derLength(body.size()));
		sequence.writeBytes(body.toByteArray());
		return sequence.toByteArray();
	}

	private static byte[] derLength(int length) {
		if (length < 0x80) {
			return new byte[] {(byte) length};
		}
		if (length < 0x100) {
			return new byte[] {(byte) 0x81, (byte) length};
		}
		if (length < 0x10000) {
			return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
		}
		return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
	}

	private static IllegalArgumentException invalid(Path file, String why) {
		return new IllegalArgumentException(SETTING + " " + file + " " + why);
	}
}
