/** cnm-lab: a cnm cluster on one Linux machine (nodes as network namespaces, an embedded API, the real operator and node-daemons). */
package io.cnm.lab;
