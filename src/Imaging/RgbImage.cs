namespace NativeCam.Imaging;

/// <summary>
/// A decoded 8-bit picture as the detector sees it: <see cref="Pixels"/> holds Height x Width x 3 bytes,
/// row-major, channels R, G, B (the EXIF orientation already applied).
/// </summary>
public sealed class RgbImage
{
    public int Height { get; }
    public int Width { get; }
    public byte[] Pixels { get; }

    public RgbImage(int height, int width, byte[] pixels)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"image size {height}x{width} must be positive");
        if (pixels.Length != (long)height * width * 3)
            throw new ArgumentException($"{pixels.Length} bytes do not fill a {height}x{width} RGB image");
        Height = height;
        Width = width;
        Pixels = pixels;
    }

    /// <summary>Channel <paramref name="c"/> (0 R, 1 G, 2 B) of the pixel at row y, column x.</summary>
    public byte At(int y, int x, int c) => Pixels[(y * Width + x) * 3 + c];

    public override string ToString() => $"RgbImage {Height}x{Width}";
}
