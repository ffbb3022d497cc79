import Foundation

/// Mote's built-in demonstration dataset: two classes of synthetic photographs, generated
/// deterministically from a seed, so `mote demo` can run anywhere without downloading data.
///
/// It is synthetic and says so. Class 0 (`rings`) is a rounded blob textured with concentric rings;
/// class 1 (`stripes`) is a squarish blob textured with parallel stripes. Everything else varies at
/// random and is shared by both classes: the shape's roundness (the two classes' ranges overlap), size,
/// position, rotation and aspect (pose), texture frequency, phase and contrast, object and background
/// colours, a background gradient with soft blobs, lighting (gain, gamma, a directional shading),
/// distractor shapes of either class, partial occlusion and pixel noise. A fraction of images is made
/// deliberately ambiguous (weak texture and a roundness in the overlap), so a small network lands well
/// below 100% on held-out images.
///
/// Image `i` of a dataset depends only on `(seed, i)`: generation is order-free and thread-safe.
public struct SyntheticShapes: Sendable {
    /// The class names, in class-index order (sorted, as labeled folders are).
    public static let classes = ["rings", "stripes"]

    public var width: Int
    public var height: Int
    public var seed: UInt64

    public init(width: Int = 96, height: Int = 96, seed: UInt64 = 2026) {
        precondition(width >= 8 && height >= 8, "SyntheticShapes: images must be at least 8×8")
        self.width = width
        self.height = height
        self.seed = seed
    }

    /// The label of image `index`: classes alternate under a seeded permutation of pairs, so any
    /// prefix of even length is exactly balanced.
    public func label(of index: Int) -> Int {
        var rng = SplitMix64(seed: seed ^ 0xC1A5_5E5 &+ UInt64(index / 2) &* 0x9E37_79B9)
        let flip = Int(rng.next() & 1)
        return (index & 1) ^ flip
    }

    /// Renders image `index` as interleaved RGB (`height × width × 3` bytes).
    public func render(_ index: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { render(index, into: $0) }
        return pixels
    }

    /// Renders image `index` into `out`, which must hold `height × width × 3` bytes.
    public func render(_ index: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        precondition(out.count >= width * height * 3, "SyntheticShapes: buffer too small")
        let cls = label(of: index)
        var rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D ^ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
        let scene = Scene(cls: cls, rng: &rng)
        var noiseRNG = SplitMix64(seed: rng.next())
        let w = Double(width), h = Double(height)
        for y in 0..<height {
            for x in 0..<width {
                // Normalised coordinates in [-1, 1], y down.
                let u = (Double(x) + 0.5) / w * 2 - 1
                let v = (Double(y) + 0.5) / h * 2 - 1
                var rgb = scene.background(u, v)
                for d in scene.distractors { rgb = d.composite(over: rgb, u, v) }
                rgb = scene.object.composite(over: rgb, u, v)
                if let occluder = scene.occluder { rgb = occluder.composite(over: rgb, u, v) }
                let shade = scene.light(u, v)
                for c in 0..<3 {
                    var value = rgb[c] * shade
                    value = Self.power(max(0, min(1, value)), scene.gamma)
                    value += scene.noise * noiseRNG.gaussian()
                    let byte = Int(value * 255 + 0.5)
                    out[(y * width + x) * 3 + c] = UInt8(max(0, min(255, byte)))
                }
            }
        }
    }

    static func power(_ x: Double, _ p: Double) -> Double {
        x <= 0 ? 0 : pow(x, p)
    }
}

/// A blob with a texture: the class-defining object, and the distractors.
struct TexturedShape: Sendable {
    var cx, cy, radius, aspect, cosA, sinA: Double
    var roundness: Double       // superellipse exponent: 2 is an ellipse, large is a rectangle
    var rings: Bool             // concentric rings (class 0) or parallel stripes (class 1)
    var frequency, phase, contrast: Double
    var base: SIMD3<Double>          // colour of the texture's bright phase
    var dark: SIMD3<Double>          // colour of its dark phase
    var opacity: Double

    init(rings: Bool, ambiguous: Bool, scale: ClosedRange<Double>, rng: inout SplitMix64) {
        cx = rng.uniform(-0.45, 0.45)
        cy = rng.uniform(-0.45, 0.45)
        radius = rng.uniform(scale.lowerBound, scale.upperBound)
        aspect = rng.uniform(0.7, 1.35)
        let angle = rng.uniform(0, Double.pi)
        cosA = cos(angle)
        sinA = sin(angle)
        self.rings = rings
        if ambiguous {
            roundness = rng.uniform(2.6, 3.4)
        } else {
            roundness = rings ? rng.uniform(1.7, 3.4) : rng.uniform(2.6, 7)
        }
        frequency = rng.uniform(2.2, 4.5)
        phase = rng.uniform(0, 1)
        contrast = ambiguous ? rng.uniform(0.05, 0.2) : rng.uniform(0.2, 0.6)
        let hue = rng.uniform(0, 1)
        base = Colour.hsv(hue, rng.uniform(0.2, 0.8), rng.uniform(0.55, 0.95))
        dark = base * (1 - contrast)
        opacity = 1
    }

    /// Coverage (0…1, anti-aliased over about a pixel) and texture value at (u, v).
    func sample(_ u: Double, _ v: Double) -> (coverage: Double, colour: SIMD3<Double>) {
        let dx = u - cx, dy = v - cy
        let x = (cosA * dx + sinA * dy) / (radius * aspect)
        let y = (-sinA * dx + cosA * dy) / radius
        let r = SyntheticShapes.power(
            SyntheticShapes.power(abs(x), roundness) + SyntheticShapes.power(abs(y), roundness), 1 / roundness)
        let edge = 0.04 / radius
        let coverage = max(0, min(1, (1 - r) / edge + 0.5))
        if coverage == 0 { return (0, base) }
        let t = rings ? (r * frequency + phase) : (x * frequency * 0.5 + phase)
        let wave = 0.5 + 0.5 * cos(2 * Double.pi * t)
        let colour = dark + (base - dark) * wave
        return (coverage * opacity, colour)
    }

    func composite(over rgb: SIMD3<Double>, _ u: Double, _ v: Double) -> SIMD3<Double> {
        let (a, colour) = sample(u, v)
        if a == 0 { return rgb }
        return rgb * (1 - a) + colour * a
    }
}

/// One image's random choices.
struct Scene: Sendable {
    var object: TexturedShape
    var distractors: [TexturedShape]
    var occluder: TexturedShape?
    var backgroundA, backgroundB: SIMD3<Double>
    var gradientCos, gradientSin: Double
    var blobs: [(x: Double, y: Double, r: Double, weight: Double)]
    var gain, gamma, noise: Double
    var lightCos, lightSin, lightStrength: Double

    init(cls: Int, rng: inout SplitMix64) {
        let ambiguous = rng.uniform(0, 1) < 0.12
        object = TexturedShape(rings: cls == 0, ambiguous: ambiguous, scale: 0.3...0.62, rng: &rng)
        let count = Int(rng.next() % 3)
        distractors = (0..<count).map { _ in
            var d = TexturedShape(rings: rng.next() & 1 == 0, ambiguous: false, scale: 0.1...0.2, rng: &rng)
            d.opacity = rng.uniform(0.4, 0.9)
            d.cx *= 2; d.cy *= 2
            return d
        }
        if rng.uniform(0, 1) < 0.25 {
            var o = TexturedShape(rings: false, ambiguous: false, scale: 0.2...0.35, rng: &rng)
            o.contrast = 0
            o.dark = o.base
            o.cx = object.cx + rng.uniform(-0.5, 0.5)
            o.cy = object.cy + rng.uniform(-0.5, 0.5)
            occluder = o
        } else {
            occluder = nil
        }
        let hue = rng.uniform(0, 1)
        backgroundA = Colour.hsv(hue, rng.uniform(0, 0.6), rng.uniform(0.15, 0.8))
        backgroundB = Colour.hsv(hue + rng.uniform(-0.2, 0.2), rng.uniform(0, 0.6), rng.uniform(0.15, 0.8))
        let g = rng.uniform(0, 2 * Double.pi)
        gradientCos = cos(g)
        gradientSin = sin(g)
        blobs = (0..<3).map { _ in (rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0.2, 0.6), rng.uniform(-0.15, 0.15)) }
        gain = rng.uniform(0.6, 1.3)
        gamma = rng.uniform(0.75, 1.35)
        noise = rng.uniform(0.01, 0.09)
        let l = rng.uniform(0, 2 * Double.pi)
        lightCos = cos(l)
        lightSin = sin(l)
        lightStrength = rng.uniform(0, 0.35)
    }

    func background(_ u: Double, _ v: Double) -> SIMD3<Double> {
        let t = 0.5 + 0.5 * (gradientCos * u + gradientSin * v) * 0.7
        var bump = 0.0
        for b in blobs {
            let d2 = ((u - b.x) * (u - b.x) + (v - b.y) * (v - b.y)) / (b.r * b.r)
            bump += b.weight * exp(-d2)
        }
        return backgroundA * (1 - t) + backgroundB * t + SIMD3(repeating: bump)
    }

    func light(_ u: Double, _ v: Double) -> Double {
        gain * (1 + lightStrength * (lightCos * u + lightSin * v))
    }
}

enum Colour {
    /// HSV (all in [0, 1], hue wraps) to linear RGB in [0, 1].
    static func hsv(_ h: Double, _ s: Double, _ v: Double) -> SIMD3<Double> {
        var hue = h - Double(Int(h))
        if hue < 0 { hue += 1 }
        let sector = hue * 6
        let i = Int(sector) % 6
        let f = sector - Double(Int(sector))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        switch i {
        case 0: return SIMD3(v, t, p)
        case 1: return SIMD3(q, v, p)
        case 2: return SIMD3(p, v, t)
        case 3: return SIMD3(p, q, v)
        case 4: return SIMD3(t, p, v)
        default: return SIMD3(v, p, q)
        }
    }
}

extension SplitMix64 {
    /// A standard normal draw (Box-Muller on two uniforms).
    mutating func gaussian() -> Double {
        let u1 = max(nextUnit(), 0x1p-60)
        let u2 = nextUnit()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }
}
