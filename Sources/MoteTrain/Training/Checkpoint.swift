import Foundation

/// Metrics of one finished epoch.
public struct EpochMetrics: Codable, Equatable, Sendable {
    /// The epoch (0-based).
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var valLoss: Double?
    public var valAccuracy: Double?
    /// Seconds spent in training steps (batch preparation waits included, validation excluded).
    public var trainSeconds: Double
    /// Training images per second over `trainSeconds`.
    public var imagesPerSecond: Double
}

/// Where a run stands: enough to continue it exactly.
public struct TrainingPosition: Codable, Equatable, Sendable {
    /// The epoch in progress (0-based).
    public var epoch: Int
    /// The number of batches of `epoch` already trained.
    public var batchInEpoch: Int
    /// Optimizer steps taken in total.
    public var globalStep: Int
    /// Sums over the batches of `epoch` trained so far (for the epoch's reported metrics).
    public var epochLossSum: Double
    public var epochCorrect: Int
    public var epochSamples: Int
    public var epochTrainSeconds: Double
    /// Finished epochs' metrics.
    public var history: [EpochMetrics]
    /// The best validation loss so far and its epoch (early stopping, best checkpoint).
    public var bestValLoss: Double?
    public var bestEpoch: Int?

    public static let start = TrainingPosition(epoch: 0, batchInEpoch: 0, globalStep: 0, epochLossSum: 0, epochCorrect: 0,
                                               epochSamples: 0, epochTrainSeconds: 0, history: [], bestValLoss: nil, bestEpoch: nil)
}

/// A checkpoint file: the model's parameters (trainable and state), the optimizer's moments and
/// step count, and the training position (epoch, batch, global step, history).
///
/// Layout: the 8 bytes `MOTECKPT`, a little-endian UInt32 format version (1), a UInt64 header
/// length, the header as UTF-8 JSON, then every parameter's float32 values (little-endian, in
/// model order) followed by the optimizer's state buffers. Written to a temporary file in the
/// same folder and renamed, so a reader never sees a partial file.
public struct Checkpoint {
    /// The JSON header.
    public struct Header: Codable, Equatable {
        public var format: Int
        public var seed: UInt64
        public var layers: [String]
        public var parameterShapes: [[Int]]
        public var optimizer: String
        public var learningRate: Float
        public var iterations: Int
        public var stateCounts: [Int]
        public var position: TrainingPosition
    }

    static let magic: [UInt8] = Array("MOTECKPT".utf8)

    /// Writes `model`'s and `optimizer`'s state with `position` to `url` atomically.
    public static func write(to url: URL, model: Sequential, optimizer: Optimizer, seed: UInt64, position: TrainingPosition) throws {
        let params = model.parameters
        let states = optimizer.stateBuffers(for: params)
        let header = Header(format: 1, seed: seed, layers: model.layers.map(\.description), parameterShapes: params.map(\.shape),
                            optimizer: optimizer.name, learningRate: optimizer.learningRate, iterations: optimizer.iterations,
                            stateCounts: states.map(\.count), position: position)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var data = Data(magic)
        withUnsafeBytes(of: UInt32(1).littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for b in params.map(\.value) + states {
            data.append(UnsafeBufferPointer(start: b.pointer, count: b.count))
        }
        try writeAtomically(data, to: url)
    }

    /// Writes `data` to a temporary file beside `url`, then renames it over `url`.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                throw TrainError("cannot rename \(tmp.path) to \(url.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    /// Reads the header of the checkpoint at `url`.
    public static func readHeader(_ url: URL) throws -> (Header, Data, Int) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TrainError("cannot read checkpoint \(url.path): \(error.localizedDescription)") }
        guard data.count >= 20, Array(data.prefix(8)) == magic else { throw TrainError("\(url.path) is not a Mote checkpoint") }
        let version = data.subdata(in: 8..<12).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        guard version == 1 else { throw TrainError("\(url.path): unsupported checkpoint version \(version)") }
        let length = data.subdata(in: 12..<20).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= UInt64(data.count - 20) else { throw TrainError("\(url.path): truncated checkpoint header") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data.subdata(in: 20..<(20 + Int(length)))) } catch {
            throw TrainError("\(url.path): corrupt checkpoint header (\(error))")
        }
        return (header, data, 20 + Int(length))
    }

    /// Restores `model` and `optimizer` from the checkpoint at `url` and returns its header.
    /// The model's layers and parameter shapes and the optimizer's kind must match.
    @discardableResult
    public static func restore(from url: URL, model: Sequential, optimizer: Optimizer) throws -> Header {
        let (header, data, offset) = try readHeader(url)
        let params = model.parameters
        guard header.layers == model.layers.map(\.description), header.parameterShapes == params.map(\.shape) else {
            throw TrainError("\(url.path) was written for a different model (\(header.layers.joined(separator: ", ")))")
        }
        guard header.optimizer == optimizer.name else {
            throw TrainError("\(url.path) holds \(header.optimizer) state, but the run uses \(optimizer.name)")
        }
        let states = optimizer.stateBuffers(for: params)
        let buffers = params.map(\.value) + states
        guard header.stateCounts == states.map(\.count) else { throw TrainError("\(url.path): optimizer state does not match the model") }
        let needed = buffers.reduce(0) { $0 + $1.count } * 4
        guard data.count - offset == needed else {
            throw TrainError("\(url.path): \(data.count - offset) bytes of weights, expected \(needed) (truncated or corrupt)")
        }
        data.withUnsafeBytes { raw in
            var p = offset
            for b in buffers {
                let bytes = UnsafeRawBufferPointer(rebasing: raw[p..<(p + b.count * 4)])
                UnsafeMutableRawBufferPointer(start: b.pointer, count: b.count * 4).copyMemory(from: bytes)
                p += b.count * 4
            }
        }
        optimizer.iterations = header.iterations
        optimizer.learningRate = header.learningRate
        return header
    }
}
