import MoteImage

enum MoteImageDefaults {
    static let preprocessing = Preprocessing(height: 8, width: 8)
}
