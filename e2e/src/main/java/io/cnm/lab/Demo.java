package io.cnm.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code make demo}: two of the seed's walkthroughs on a two-node lab. First "Bridge Driver on a
 * Single Host": network pets-bridge on node1; sandbox db runs a hit counter on 8500; sandbox web
 * serves HTTP on 5000, finds db by name through the embedded DNS, and is published on the node's
 * port 8000. Then "Multi-Host with Overlay Driver": network pets-overlay; db2 (alias db) on node2,
 * web2 (alias web) on node1 published on 8001, web2 reaching db2 across the underlay through the
 * VXLAN overlay, its name learned by gossip. Each page is fetched from outside the nodes (the
 * underlay) through the published port and printed. Last "Tutorial App: MACVLAN Bridge Mode":
 * network pets-macvlan on the nodes' eth0; db3 (198.19.0.205) on node2, web3 (198.19.0.204) on
 * node1 reaching db3 at its own address on the LAN, its page fetched at web3's address, nothing
 * published.
 */
final class Demo {
  static final String URL = "http://198.19.0.11:8000/";
  static final String OVERLAY_URL = "http://198.19.0.11:8001/";
  static final String MACVLAN_URL = "http://198.19.0.204:5000/";

  private Demo() {}

  static int run(CnmLab lab, boolean images) {
    if (!Files.exists(lab.state().resolve("api-port"))) {
      lab.up(2, images);
    }
    System.out.println("== Bridge Driver on a Single Host (seed): pets-bridge on node1");
    walkthrough(lab, "/demo/pets.yaml", Map.of("db", "node1", "web", "node1"), "db", "web", "db", URL);
    if (lab.nodes() >= 2) {
      System.out.println();
      System.out.println("== Multi-Host with Overlay Driver (seed): pets-overlay, db2 on node2, web2 on node1");
      walkthrough(lab, "/demo/pets-overlay.yaml", Map.of("db2", "node2", "web2", "node1"), "db2", "web2", "db", OVERLAY_URL);
      System.out.println();
      System.out.println("== Tutorial App: MACVLAN Bridge Mode (seed): pets-macvlan on eth0, db3 on node2, web3 on node1");
      walkthrough(lab, "/demo/pets-macvlan.yaml", Map.of("db3", "node2", "web3", "node1"), "db3", "web3", "198.19.0.205", MACVLAN_URL);
    }
    return 0;
  }

  /** @param dbAddress what web is told to reach db at (DB=): a name the embedded DNS answers, or an address */
  private static void walkthrough(CnmLab lab, String yaml, Map<String, String> sandboxes, String db, String web, String dbAddress,
      String url) {
    sandboxes.forEach((sb, node) -> {
      if (!Files.exists(Path.of("/run/netns", CnmLab.PREFIX + sb))) {
        lab.sandbox(List.of("add", sb, "--node", node));
      }
    });
    lab.apply(copyResource(yaml), false);
    lab.waitEndpoints(120);
    lab.get("networks");
    lab.get("endpoints");
    String cp = CnmLab.classpath();
    lab.exec(List.of("-d", db, "--", CnmLab.java(), "-cp", cp, "io.cnm.lab.demo.Db", "8500"));
    lab.exec(List.of("-d", web, "--", "env", "DB=" + dbAddress, CnmLab.java(), "-cp", cp, "io.cnm.lab.demo.Web", "5000"));
    String page = null;
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      page = fetch(cp, url);
      if (page != null && page.contains("visit")) {
        break;
      }
      CnmLab.sleep(300);
    }
    if (page == null || !page.contains("visit")) {
      throw new LabException("the pets page did not answer on " + url + " (logs in " + lab.state() + ")");
    }
    System.out.println();
    System.out.println("$ curl " + url + (url.equals(MACVLAN_URL) ? "   (from outside the nodes, straight to web3's own address)"
        : "   (from outside the nodes, through the published port)"));
    System.out.println(page);
  }

  /** GET the single-host page from the underlay namespace, i.e. from outside the node. */
  static String fetch(String cp) {
    return fetch(cp, URL);
  }

  static String fetch(String cp, String url) {
    String out = Sh.run(List.of("ip", "netns", "exec", CnmLab.UNDERLAY, CnmLab.java(), "-cp", cp, "io.cnm.lab.demo.Fetch", url), false);
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
