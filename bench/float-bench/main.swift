// Float executor latency: `swift build -c release --product float-bench`, then
// `.build/release/float-bench MODEL.tflite... [--runs N] [--batch B] [--threads T]`.
// Prints one JSON object per model on stdout: median and minimum milliseconds per run
// (and per image for batches) after 20 warm-up runs, on seeded random inputs in [0, 1);
// `--profile` adds each operator's median milliseconds on stderr.
// GEMM threads default to 1 (`--threads`).
import Foundation
import MoteFloat
import MoteModel

var paths: [String] = []
var runs = 200, batch = 1, threads = 1, profile = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let a = arguments.next() {
    switch a {
    case "--runs": runs = Int(arguments.next() ?? "") ?? runs
    case "--batch": batch = Int(arguments.next() ?? "") ?? batch
    case "--threads": threads = Int(arguments.next() ?? "") ?? threads
    case "--profile": profile = true
    case "--help", "-h":
        print("usage: float-bench MODEL.tflite... [--runs N] [--batch B] [--threads T] [--profile]")
        exit(0)
    default: paths.append(a)
    }
}
guard !paths.isEmpty, runs >= 1, batch >= 1, threads >= 1 else {
    FileHandle.standardError.write("usage: float-bench MODEL.tflite... [--runs N] [--batch B] [--threads T] [--profile]\n".data(using: .utf8)!)
    exit(1)
}
GEMM.threads = threads

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
}

for path in paths {
    do {
        let executor = try FloatExecutor(model: TFLiteModel(contentsOf: URL(fileURLWithPath: path)), batch: batch)
        var state: UInt64 = 42
        for i in executor.inputShapes.indices {
            let buffer = executor.inputBuffer(i)
            for j in buffer.indices {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                buffer[j] = Float(state >> 40) / Float(1 << 24)
            }
        }
        for _ in 0..<20 { executor.invoke() }
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = now()
            executor.invoke()
            times.append(now() - t0)
        }
        times.sort()
        if profile {
            // Timestamps after each operator (preallocated, so the callback only reads the
            // clock); each operator's median over the runs, on stderr (medians: the mean of a
            // loaded machine is dominated by preemptions).
            let count = executor.operators.count
            var stamps = [Double](repeating: 0, count: count)
            var durations = [[Double]](repeating: [], count: count)
            for _ in 0..<runs {
                let start = now()
                executor.invoke { o in if o.outputPosition == 0 { stamps[o.operatorIndex] = now() } }
                var last = start
                for i in 0..<count where stamps[i] > 0 {
                    durations[i].append(stamps[i] - last)
                    last = stamps[i]
                    stamps[i] = 0
                }
            }
            for (i, op) in executor.operators.enumerated() where !durations[i].isEmpty {
                let sorted = durations[i].sorted()
                FileHandle.standardError.write(String(format: "  #%-3d %-18@ median %.4f ms\n", i, op.opName as NSString,
                                                      sorted[sorted.count / 2]).data(using: .utf8)!)
            }
        }
        let median = times[times.count / 2], minimum = times[0]
        print("{\"model\": \"\(path)\", \"batch\": \(batch), \"threads\": \(threads), \"runs\": \(runs), "
              + "\"median_ms\": \(String(format: "%.4f", median)), \"min_ms\": \(String(format: "%.4f", minimum)), "
              + "\"median_ms_per_image\": \(String(format: "%.4f", median / Double(batch)))}")
    } catch {
        FileHandle.standardError.write("float-bench: \(path): \(error)\n".data(using: .utf8)!)
        exit(2)
    }
}
