// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Mote",
    products: [
        .library(name: "MoteCore", targets: ["MoteCore"]),
        .library(name: "MoteCoreDSP", targets: ["MoteCoreDSP"]),
        .library(name: "MoteModel", targets: ["MoteModel"]),
        .library(name: "MoteFloat", targets: ["MoteFloat"]),
        .library(name: "MoteImage", targets: ["MoteImage"]),
        .library(name: "MoteTrain", targets: ["MoteTrain"]),
        .library(name: "MoteSim", targets: ["MoteSim"]),
        .library(name: "MoteReport", targets: ["MoteReport"]),
        .library(name: "MoteQuant", targets: ["MoteQuant"]),
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
        // OpenBLAS's CBLAS (Debian: libopenblas-dev), for MoteFloat's GEMM.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Float32 kernels and the float .tflite executor (calibration, training, the float reference).
        .target(name: "MoteFloat", dependencies: ["MoteCore", "MoteModel", "COpenBLAS"], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // libjpeg-turbo (Debian: libjpeg-dev), for MoteImage's decoder.
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        // setjmp/longjmp error manager over libjpeg: fatal errors become a status and a message.
        .target(name: "CMoteJPEG", dependencies: ["CJPEG"], cSettings: [.unsafeFlags(["-O2"])]),
        // JPEG decoding, Pillow-exact resizing, labeled image folders, augmentation, batches.
        // AVX2 variant of MoteImage's augmentation warp, chosen at run time (same floats as the Swift loop).
        .target(name: "CMoteImage", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        .target(name: "MoteImage", dependencies: ["CMoteJPEG", "CMoteImage"], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // Layers with forward and backward, losses, optimizers, Sequential, fit, checkpoints, export.
        .target(name: "MoteTrain", dependencies: ["MoteFloat", "MoteModel", "MoteImage"], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .executableTarget(name: "mote", dependencies: ["MoteCore", "MoteCoreDSP", "MoteModel", "MoteFloat", "MoteSim", "MoteReport", "MoteImage", "MoteQuant", "MoteTrain"]),
        // The harness: int8 vs float per layer, memory budgets, host and firmware runs.
        .target(name: "MoteSim", dependencies: ["MoteCore", "MoteCoreDSP", "MoteFloat", "MoteModel", "MoteImage"]),
        // Accuracy-drop reports: JSON, Markdown, HTML with inline SVG charts.
        .target(name: "MoteReport", dependencies: ["MoteSim", "MoteImage", "MoteModel"]),
        // Float executor latency (a benchmark, not a test): see bench/README.md.
        .executableTarget(name: "float-bench", dependencies: ["MoteFloat", "MoteModel"], path: "bench/float-bench"),
        // Post-training int8 quantization: observers, recipes, BatchNorm folding, equalization,
        // bias correction; MoteCore runs its output.
        .target(name: "MoteQuant", dependencies: ["MoteModel", "MoteCore", "MoteFloat", "MoteImage"]),
        .testTarget(name: "MoteCoreTests", dependencies: ["MoteCore", "MoteCoreDSP", "MoteModel"]),
        .testTarget(name: "MoteModelTests", dependencies: ["MoteModel", "MoteCore"]),
        .testTarget(name: "MoteSimTests", dependencies: ["MoteSim", "MoteModel", "MoteCore", "MoteFloat", "MoteImage"]),
        .testTarget(name: "MoteFloatTests", dependencies: ["MoteFloat", "MoteModel"]),
        .testTarget(name: "MoteImageTests", dependencies: ["MoteImage", "CMoteJPEG", "CMoteImage"], exclude: ["Fixtures"]),
        .testTarget(name: "MoteTrainTests", dependencies: ["MoteTrain", "MoteFloat", "MoteModel"]),
        .testTarget(name: "MoteReportTests", dependencies: ["MoteReport", "MoteSim", "MoteCore", "MoteFloat", "MoteImage", "MoteModel"]),
        .testTarget(name: "MoteQuantTests", dependencies: ["MoteQuant", "MoteModel", "MoteCore", "MoteFloat", "MoteImage"]),
        // Runs the built `mote` executable as a child process (no module dependency).
        .testTarget(name: "MoteCLITests"),
        // Runs firmware-sim/run.sh (MoteCore as Cortex-M4 and aarch64 Linux firmware under QEMU)
        // over the fixtures and compares with the host build of the core.
        .testTarget(name: "FirmwareSimTests", dependencies: ["MoteCore"]),
    ],
    swiftLanguageModes: [.v5]
)
