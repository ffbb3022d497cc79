/// How an image is resized. Each name means exactly what Pillow's `Image.resize` does
/// (Pillow 9–13, 8-bit images, whole-image box, no `reducing_gap`):
/// - `nearest`: `Image.NEAREST`, the source pixel whose index is `trunc((i + 0.5) · in/out)`,
///   with Pillow's running double sum for the positions (Keras' `load_img` default);
/// - `bilinear`: `Image.BILINEAR`, a separable triangle filter whose support is
///   `max(1, in/out)` source pixels on each side (antialiased when shrinking), horizontal pass
///   first, each pass rounded to 8 bits in Pillow's 22-bit fixed point;
/// - `area`: `Image.BOX`, the same machinery with a box filter of half-width `max(1, in/out)/2`
///   (the mean of the covered source pixels when shrinking by an integer factor).
public enum ResizeMethod: String, CaseIterable, Sendable, Codable {
    case nearest
    case bilinear
    case area
}
