package io.cnm.api.crd;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.cnm.api.net.Cidr;
import io.cnm.api.net.IpAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A CEL environment with the parts of Kubernetes' CEL libraries our CRDs use: the standard
 * macros and the IP and CIDR library ({@code isIP}, {@code ip}, {@code isCIDR}, {@code cidr},
 * {@code family}, {@code containsIP}, {@code containsCIDR}, {@code ip()}, {@code masked},
 * {@code prefixLength}), bound to the same strict parsers the Java validator uses. It lets the
 * tests evaluate the generated CRD's rules as an API server would, with no API server.
 */
final class KubernetesCel {
  static final OpaqueType IP = OpaqueType.create("net.IP");
  static final OpaqueType CIDR = OpaqueType.create("net.CIDR");

  private final CelCompiler compiler;
  private final CelRuntime runtime;
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  KubernetesCel() {
    compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addVar("self", SimpleType.DYN)
        .addFunctionDeclarations(
            global("isIP", SimpleType.BOOL, SimpleType.STRING),
            global("ip", IP, SimpleType.STRING),
            global("isCIDR", SimpleType.BOOL, SimpleType.STRING),
            global("cidr", CIDR, SimpleType.STRING),
            CelFunctionDecl.newFunctionDeclaration("family",
                CelOverloadDecl.newMemberOverload("ip_family", SimpleType.INT, IP)),
            CelFunctionDecl.newFunctionDeclaration("containsIP",
                CelOverloadDecl.newMemberOverload("cidr_contains_ip_string", SimpleType.BOOL, CIDR, SimpleType.STRING),
                CelOverloadDecl.newMemberOverload("cidr_contains_ip_ip", SimpleType.BOOL, CIDR, IP)),
            CelFunctionDecl.newFunctionDeclaration("containsCIDR",
                CelOverloadDecl.newMemberOverload("cidr_contains_cidr_string", SimpleType.BOOL, CIDR, SimpleType.STRING),
                CelOverloadDecl.newMemberOverload("cidr_contains_cidr", SimpleType.BOOL, CIDR, CIDR)),
            CelFunctionDecl.newFunctionDeclaration("ip",
                CelOverloadDecl.newMemberOverload("cidr_ip", IP, CIDR)),
            CelFunctionDecl.newFunctionDeclaration("masked",
                CelOverloadDecl.newMemberOverload("cidr_masked", CIDR, CIDR)),
            CelFunctionDecl.newFunctionDeclaration("prefixLength",
                CelOverloadDecl.newMemberOverload("cidr_prefix_length", SimpleType.INT, CIDR)))
        .build();
    runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
        .addFunctionBindings(
            CelFunctionBinding.from("isIP_string", String.class, s -> IpAddress.tryParse(s).isPresent()),
            CelFunctionBinding.from("ip_string", String.class, IpAddress::parse),
            CelFunctionBinding.from("isCIDR_string", String.class, s -> Cidr.tryParse(s).isPresent()),
            CelFunctionBinding.from("cidr_string", String.class, Cidr::parse),
            CelFunctionBinding.from("ip_family", IpAddress.class, ip -> (long) ip.family()),
            CelFunctionBinding.from("cidr_contains_ip_string", Cidr.class, String.class,
                (c, s) -> c.contains(IpAddress.parse(s))),
            CelFunctionBinding.from("cidr_contains_ip_ip", Cidr.class, IpAddress.class, Cidr::contains),
            CelFunctionBinding.from("cidr_contains_cidr_string", Cidr.class, String.class,
                (c, s) -> c.contains(Cidr.parse(s))),
            CelFunctionBinding.from("cidr_contains_cidr", Cidr.class, Cidr.class, Cidr::contains),
            CelFunctionBinding.from("cidr_ip", Cidr.class, Cidr::address),
            CelFunctionBinding.from("cidr_masked", Cidr.class, Cidr::masked),
            CelFunctionBinding.from("cidr_prefix_length", Cidr.class, c -> (long) c.prefixLength()))
        .build();
  }

  private static CelFunctionDecl global(String name, dev.cel.common.types.CelType result, dev.cel.common.types.CelType arg) {
    return CelFunctionDecl.newFunctionDeclaration(name,
        CelOverloadDecl.newGlobalOverload(name + "_string", result, arg));
  }

  /** Evaluates a rule with {@code self} bound to a value (maps, lists, Long, Double, Boolean, String). */
  Object evaluate(String rule, Object self) throws Exception {
    CelRuntime.Program program = programs.get(rule);
    if (program == null) {
      CelAbstractSyntaxTree ast = compiler.compile(rule).getAst();
      program = runtime.createProgram(ast);
      programs.put(rule, program);
    }
    return program.eval(Map.of("self", self));
  }
}
