package io.cnm.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code make demo}: the seed's "Bridge Driver on a Single Host" on the lab. Network pets-bridge;
 * sandbox db runs a hit counter on 8500; sandbox web serves HTTP on 5000, finds db by name through
 * the embedded DNS, and is published on the node's port 8000; the page is fetched from outside the
 * node (the underlay) through the published port and printed.
 */
final class Demo {
  static final String URL = "http://198.19.0.11:8000/";

  private Demo() {}

  static int run(CnmLab lab) {
    if (!Files.exists(lab.state().resolve("api-port"))) {
      lab.up(1);
    }
    for (String sb : List.of("db", "web")) {
      if (!Files.exists(Path.of("/run/netns", CnmLab.PREFIX + sb))) {
        lab.sandbox(List.of("add", sb, "--node", "node1"));
      }
    }
    Path yaml = copyResource("/demo/pets.yaml");
    lab.apply(yaml, false);
    lab.waitEndpoints(120);
    lab.get("networks");
    lab.get("endpoints");
    String cp = CnmLab.classpath();
    lab.exec(List.of("-d", "db", "--", CnmLab.java(), "-cp", cp, "io.cnm.lab.demo.Db", "8500"));
    lab.exec(List.of("-d", "web", "--", "env", "DB=db", CnmLab.java(), "-cp", cp, "io.cnm.lab.demo.Web", "5000"));
    String page = null;
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      page = fetch(cp);
      if (page != null && page.contains("visit")) {
        break;
      }
      CnmLab.sleep(300);
    }
    if (page == null || !page.contains("visit")) {
      throw new LabException("the pets page did not answer on " + URL + " (logs in " + lab.state() + ")");
    }
    System.out.println();
    System.out.println("$ curl " + URL + "   (from outside the node, through the published port)");
    System.out.println(page);
    return 0;
  }

  /** GET from the underlay namespace, i.e. from outside the node. */
  static String fetch(String cp) {
    String out = Sh.run(List.of("ip", "netns", "exec", CnmLab.UNDERLAY, CnmLab.java(), "-cp", cp, "io.cnm.lab.demo.Fetch", URL), false);
    return out.isBlank() ? null : out.trim();
  }

  private static Path copyResource(String name) {
    try (InputStream in = Demo.class.getResourceAsStream(name)) {
      Path f = Files.createTempFile("cnm-lab-demo", ".yaml");
      Files.write(f, in.readAllBytes());
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new LabException(e.getMessage());
    }
  }
}
