package io.cnm.lab.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny curl for the lab's namespaces (curl is not always installed): prints the body, exit 1 on failure. */
public final class Fetch {
  private Fetch() {}

  public static void main(String[] args) {
    try {
      HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
          .send(HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      System.out.print(r.body());
      System.exit(r.statusCode() == 200 ? 0 : 1);
    } catch (Exception e) {
      System.exit(1);
    }
  }
}
