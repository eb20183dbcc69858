namespace NativeCam.Imaging.Jpeg;

/// <summary>
/// Brings a component to the full image size the way libjpeg's default ("fancy") upsampler does
/// (jdsample.c): 2:1 horizontally and/or vertically by a triangle filter, each output sample being
/// 3/4 of the nearer input sample plus 1/4 of the next one with libjpeg's alternating rounding biases,
/// edges repeating the last real sample; any other whole ratio (or a 2:1 horizontal one on a component at
/// most 2 samples wide, where libjpeg skips the filter) by plain replication.
/// </summary>
static class ChromaUpsampler
{
    /// <summary>
    /// <paramref name="samples"/> holds the component's <see cref="JpegComponent.Width"/> x
    /// <see cref="JpegComponent.Height"/> samples with row stride <paramref name="stride"/>; the result is a
    /// width x height plane.
    /// </summary>
    public static byte[] ToImageSize(byte[] samples, int stride, JpegComponent c, JpegFrame frame)
    {
        int width = frame.Width, height = frame.Height;
        int hx = frame.MaxH / c.H, vx = frame.MaxV / c.V;
        var output = new byte[width * height];
        bool fancyH = hx == 2 && c.Width > 2;
        if (hx == 1 && vx == 1) Crop(samples, stride, output, width, height);
        else if (fancyH && vx == 1) Horizontal(samples, stride, c, output, width, height);
        else if (hx == 1 && vx == 2) Vertical(samples, stride, c, output, width, height);
        else if (fancyH && vx == 2) Both(samples, stride, c, output, width, height);
        else Replicate(samples, stride, hx, vx, output, width, height);
        return output;
    }

    static void Crop(byte[] samples, int stride, byte[] output, int width, int height)
    {
        for (int y = 0; y < height; y++)
            samples.AsSpan(y * stride, width).CopyTo(output.AsSpan(y * width, width));
    }

    static void Replicate(byte[] samples, int stride, int hx, int vx, byte[] output, int width, int height)
    {
        for (int y = 0; y < height; y++)
        {
            int source = y / vx * stride, target = y * width;
            for (int x = 0; x < width; x++) output[target + x] = samples[source + x / hx];
        }
    }

    // h2v1: out[2j] = (3·s[j] + s[j-1] + 1) >> 2, out[2j+1] = (3·s[j] + s[j+1] + 2) >> 2.
    static void Horizontal(byte[] samples, int stride, JpegComponent c, byte[] output, int width, int height)
    {
        Span<int> row = c.Width <= 4096 ? stackalloc int[c.Width] : new int[c.Width];
        Span<byte> wide = c.Width <= 2048 ? stackalloc byte[2 * c.Width] : new byte[2 * c.Width];
        for (int y = 0; y < height; y++)
        {
            for (int j = 0; j < c.Width; j++) row[j] = samples[y * stride + j];
            FilterRow(row, wide, 2, 1, 2);
            wide[..width].CopyTo(output.AsSpan(y * width, width));
        }
    }

    // h1v2: out row 2i = (3·s[i] + s[i-1] + 1) >> 2, row 2i+1 = (3·s[i] + s[i+1] + 2) >> 2, column by column.
    static void Vertical(byte[] samples, int stride, JpegComponent c, byte[] output, int width, int height)
    {
        for (int y = 0; y < height; y++)
        {
            int near = y >> 1, far = Neighbour(y, c.Height);
            int bias = (y & 1) == 0 ? 1 : 2;
            for (int x = 0; x < width; x++)
                output[y * width + x] = (byte)((3 * samples[near * stride + x] + samples[far * stride + x] + bias) >> 2);
        }
    }

    // h2v2: vertical sums v[j] = 3·near[j] + far[j] first, then
    // out[2j] = (3·v[j] + v[j-1] + 8) >> 4, out[2j+1] = (3·v[j] + v[j+1] + 7) >> 4.
    static void Both(byte[] samples, int stride, JpegComponent c, byte[] output, int width, int height)
    {
        Span<int> sums = c.Width <= 4096 ? stackalloc int[c.Width] : new int[c.Width];
        Span<byte> wide = c.Width <= 2048 ? stackalloc byte[2 * c.Width] : new byte[2 * c.Width];
        for (int y = 0; y < height; y++)
        {
            int near = (y >> 1) * stride, far = Neighbour(y, c.Height) * stride;
            for (int j = 0; j < c.Width; j++) sums[j] = 3 * samples[near + j] + samples[far + j];
            FilterRow(sums, wide, 4, 8, 7);
            wide[..width].CopyTo(output.AsSpan(y * width, width));
        }
    }

    /// <summary>The farther input row for output row y of a 2:1 vertical filter: above for even rows, below
    /// for odd ones, repeating the first and last real rows at the edges (libjpeg's context rows).</summary>
    static int Neighbour(int y, int rows)
    {
        int near = y >> 1;
        return (y & 1) == 0 ? Math.Max(near - 1, 0) : Math.Min(near + 1, rows - 1);
    }

    /// <summary>The 2:1 horizontal triangle filter over <paramref name="row"/>, edges repeated.</summary>
    static void FilterRow(ReadOnlySpan<int> row, Span<byte> wide, int shift, int evenBias, int oddBias)
    {
        int n = row.Length;
        for (int j = 0; j < n; j++)
        {
            int here = 3 * row[j];
            int left = row[j == 0 ? 0 : j - 1], right = row[j == n - 1 ? j : j + 1];
            wide[2 * j] = (byte)((here + left + evenBias) >> shift);
            wide[2 * j + 1] = (byte)((here + right + oddBias) >> shift);
        }
    }
}
