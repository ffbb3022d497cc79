// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Mote",
    products: [
        .library(name: "MoteCore", targets: ["MoteCore"]),
        .library(name: "MoteCoreDSP", targets: ["MoteCoreDSP"]),
        .library(name: "MoteModel", targets: ["MoteModel"]),
        .executable(name: "mote", targets: ["mote"]),
    ],
    targets: [
        // Fixed-point int8 inference. Imports nothing, allocates nothing; the same sources are
        // compiled as Embedded Swift by the test suite (see Tests/MoteCoreTests/EmbeddedBuildTests).
        .target(
            name: "MoteCore",
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        // x86-64 SIMD kernels (AVX2, AVX-512 VNNI) chosen at run time; each function carries its
        // own target attribute, so the package builds for the baseline CPU.
        .target(name: "CMoteDSP", cSettings: [.unsafeFlags(["-O3"])]),
        // Plugs CMoteDSP into MoteCore's kernel table (`MoteCoreDSP.install()`).
        .target(name: "MoteCoreDSP", dependencies: ["MoteCore", "CMoteDSP"]),
        .target(name: "MoteModel", dependencies: ["MoteCore"]),
        .executableTarget(name: "mote", dependencies: ["MoteCore", "MoteCoreDSP", "MoteModel"]),
        .testTarget(name: "MoteCoreTests", dependencies: ["MoteCore", "MoteCoreDSP", "MoteModel"]),
        .testTarget(name: "MoteModelTests", dependencies: ["MoteModel", "MoteCore"]),
        // Runs the built `mote` executable as a child process (no module dependency).
        .testTarget(name: "MoteCLITests"),
    ],
    swiftLanguageModes: [.v5]
)
