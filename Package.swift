// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Mote",
    products: [
        .library(name: "MoteCore", targets: ["MoteCore"]),
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
        .target(name: "MoteModel", dependencies: ["MoteCore"]),
        .executableTarget(name: "mote", dependencies: ["MoteCore", "MoteModel"]),
        .testTarget(name: "MoteCoreTests", dependencies: ["MoteCore", "MoteModel"]),
        .testTarget(name: "MoteModelTests", dependencies: ["MoteModel", "MoteCore"]),
        // Runs the built `mote` executable as a child process (no module dependency).
        .testTarget(name: "MoteCLITests"),
    ],
    swiftLanguageModes: [.v5]
)
