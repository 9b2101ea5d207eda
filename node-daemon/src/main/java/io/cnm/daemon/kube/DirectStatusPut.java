package io.cnm.daemon.kube;

import io.cnm.api.status.StatusUpdates;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.jboss.logging.Logger;

/**
 * Replaces a namespaced object's status subresource in one blocking request made on the calling
 * thread, over the JDK's keep-alive connections. The Fabric8 client's JDK transport hands a
 * request and its answer between threads and copies the object through Jackson on the way: on the
 * daemon's lean JIT settings, a status write took about 18 ms in the lab through it, and about 9
 * this way (bench-e2e).
 *
 * <p>It speaks to the API server the Fabric8 client was configured for: the same URL, CA and
 * client certificate, and bearer token (read from the client's configuration at each write, so a
 * refreshed token is used at once). Whatever it does not do itself goes through the client: a
 * configuration with a proxy, basic auth, impersonation or an auth provider; a 401 or 403 (the
 * client's own retry refreshes the token); and any I/O failure (a connection the server closed).
 * A 409 is thrown as the client would throw it, so {@code StatusUpdates} makes the change again.
 */
public final class DirectStatusPut<T extends HasMetadata> implements UnaryOperator<T> {
  private static final Logger LOG = Logger.getLogger(DirectStatusPut.class);

  private final KubernetesClient client;
  private final Class<T> type;
  private final String notDirect;
  private final String base;
  private final String plural;
  private final SSLSocketFactory tls;
  /** The write as the client makes it, for everything this class leaves to it. */
  private final UnaryOperator<T> clientWrite;
  private final AtomicLong viaClient = new AtomicLong();

  public DirectStatusPut(KubernetesClient client, Class<T> type) {
    this.client = client;
    this.clientWrite = StatusUpdates.throughClient(client);
    this.type = type;
    Config c = client.getConfiguration();
    String why = unsupported(c);
    SSLSocketFactory factory = null;
    if (why == null && c.getMasterUrl().startsWith("https:")) {
      try {
        factory = SSLUtils.sslContext(c).getSocketFactory();
      } catch (Exception e) {
        why = "its TLS settings could not be read here (" + e.getMessage() + ")";
      }
    }
    this.notDirect = why;
    this.tls = factory;
    String group = HasMetadata.getGroup(type);
    this.base = String.valueOf(c.getMasterUrl()).replaceAll("/+$", "") + (group.isEmpty() ? "/api/" : "/apis/" + group + "/")
        + HasMetadata.getVersion(type) + "/namespaces/";
    this.plural = "/" + HasMetadata.getPlural(type) + "/";
    if (why != null) {
      LOG.infof("status writes go through the Kubernetes client: %s", why);
    }
  }

  /** Why this configuration is left to the client, or null. */
  static String unsupported(Config c) {
    String url = c.getMasterUrl();
    if (url == null || !(url.startsWith("http:") || url.startsWith("https:"))) {
      return "the API server's URL is " + url;
    }
    if (c.getHttpProxy() != null || c.getHttpsProxy() != null) {
      return "a proxy is configured";
    }
    if (c.getUsername() != null || c.getPassword() != null) {
      return "basic auth is configured";
    }
    if (c.getImpersonateUsername() != null) {
      return "impersonation is configured";
    }
    if (c.getAuthProvider() != null || c.getOauthTokenProvider() != null) {
      return "an auth provider is configured";
    }
    return null;
  }

  /** Writes that went through the client instead (configuration, 401/403, I/O failure). */
  public long viaClient() {
    return viaClient.get();
  }

  @Override
  public T apply(T changed) {
    if (notDirect != null) {
      return throughClient(changed);
    }
    Config c = client.getConfiguration();
    byte[] body = client.getKubernetesSerialization().asJson(changed).getBytes(StandardCharsets.UTF_8);
    HttpURLConnection con = null;
    int code;
    byte[] answer;
    try {
      con = (HttpURLConnection) URI.create(base + changed.getMetadata().getNamespace() + plural + changed.getMetadata().getName() + "/status")
          .toURL().openConnection();
      if (con instanceof HttpsURLConnection https) {
        https.setSSLSocketFactory(tls);
        if (c.isDisableHostnameVerification() || c.isTrustCerts()) { // trusting any certificate already names no host
          https.setHostnameVerifier((host, session) -> true);
        }
      }
      con.setConnectTimeout(positive(c.getConnectionTimeout()));
      con.setReadTimeout(positive(c.getRequestTimeout()));
      con.setRequestMethod("PUT");
      con.setDoOutput(true);
      con.setFixedLengthStreamingMode(body.length);
      con.setRequestProperty("Content-Type", "application/json");
      con.setRequestProperty("Accept", "application/json");
      con.setRequestProperty("User-Agent", "cnm-node-daemon");
      String token = c.getAutoOAuthToken() != null ? c.getAutoOAuthToken() : c.getOauthToken();
      if (token != null && !token.isEmpty()) {
        con.setRequestProperty("Authorization", "Bearer " + token);
      }
      try (OutputStream out = con.getOutputStream()) {
        out.write(body);
      }
      code = con.getResponseCode();
      InputStream in = code < 400 ? con.getInputStream() : con.getErrorStream();
      try (in) {
        answer = in == null ? new byte[0] : in.readAllBytes(); // read to the end: the connection goes back for the next write
      }
    } catch (IOException e) {
      if (con != null) {
        con.disconnect();
      }
      LOG.debugf("status write of %s through the client after %s", changed.getMetadata().getName(), e.toString());
      return throughClient(changed);
    }
    if (code == HttpURLConnection.HTTP_UNAUTHORIZED || code == HttpURLConnection.HTTP_FORBIDDEN) {
      return throughClient(changed); // its interceptor reads the token again and retries; the next write here takes the new one
    }
    String text = new String(answer, StandardCharsets.UTF_8);
    if (code / 100 != 2) {
      throw new KubernetesClientException("status of " + changed.getKind() + " " + changed.getMetadata().getName() + " not written: HTTP "
          + code + " " + text, code, null);
    }
    return client.getKubernetesSerialization().unmarshal(text, type);
  }

  private T throughClient(T changed) {
    viaClient.incrementAndGet();
    return clientWrite.apply(changed);
  }

  private static int positive(Integer millis) {
    return millis == null || millis <= 0 ? 10_000 : millis;
  }
}
