namespace NativeCam.Imaging;

/// <summary>
/// The EXIF orientation tag (0x0112) applied as OpenCV 4.x imread applies it (loadsave.cpp, ExifTransform).
/// The tag says where the stored rows and columns belong visually; values 1-8 map to:
/// 1 as stored, 2 flip left-right, 3 rotate 180 (flip both), 4 flip top-bottom, 5 transpose,
/// 6 transpose then flip left-right (a 90° clockwise turn), 7 transpose then flip both,
/// 8 transpose then flip top-bottom (a 90° counter-clockwise turn). Any other value leaves the image as is.
/// </summary>
public static class ExifOrientation
{
    /// <summary>Returns the image as it should be viewed (a new image unless the orientation is a no-op).</summary>
    public static RgbImage Apply(RgbImage image, int orientation)
    {
        if (orientation is < 2 or > 8) return image;
        bool transpose = orientation >= 5;
        bool flipX = orientation is 2 or 3 or 6 or 7;
        bool flipY = orientation is 3 or 4 or 7 or 8;
        int h = transpose ? image.Width : image.Height, w = transpose ? image.Height : image.Width;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                // (ty, tx): the pixel after the optional transpose; the flips act on the transposed image.
                int ty = flipY ? h - 1 - y : y, tx = flipX ? w - 1 - x : x;
                int sy = transpose ? tx : ty, sx = transpose ? ty : tx;
                int s = (sy * image.Width + sx) * 3, d = (y * w + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        return new RgbImage(h, w, dst);
    }
}
