namespace NativeCam.Yolo;

/// <summary>
/// OpenCV's INTER_LINEAR coefficient tables for an 8-bit resize along one axis (imgproc/resize.cpp, the
/// generic path cv2.resize takes for uint8): for output index d the source position is
/// f = (float)((d + 0.5)·scale − 0.5) with scale = 1/(dst/src) in double, s = floor(f), and the two weights
/// (1 − (f − s), f − s) are rounded (half to even) to 11-bit fixed point (×2048, stored as shorts).
/// Along x a tap left of the image or at/after the last column is pinned (s clamped, weight (2048, 0));
/// along y the weights are kept and only the row indices are clamped, which is why a row-border output
/// can differ from a column-border one by the truncations below. The kernel then computes per channel
/// h = S[s0]·a0 + S[s1]·a1 for two rows and v = ((b0·(h0 >> 4)) >> 16 + (b1·(h1 >> 4)) >> 16 + 2) >> 2.
/// </summary>
internal static class LinearTaps
{
    public const int CoefScale = 2048; // INTER_RESIZE_COEF_SCALE = 1 << 11

    /// <summary>Per output index: first and second source index and their fixed-point weights.</summary>
    public readonly record struct Tap(int S0, int S1, int W0, int W1);

    public static Tap[] Columns(int source, int destination) => Compute(source, destination, pinBorders: true);

    public static Tap[] Rows(int source, int destination) => Compute(source, destination, pinBorders: false);

    static Tap[] Compute(int source, int destination, bool pinBorders)
    {
        double scale = 1.0 / ((double)destination / source);
        var taps = new Tap[destination];
        for (int d = 0; d < destination; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)MathF.Floor(f);
            f -= s;
            if (pinBorders)
            {
                if (s < 0) { f = 0; s = 0; }
                if (s >= source - 1) { f = 0; s = source - 1; }
            }
            int w0 = Fixed(1f - f), w1 = Fixed(f);
            taps[d] = new Tap(Math.Clamp(s, 0, source - 1), Math.Clamp(s + 1, 0, source - 1), w0, w1);
        }
        return taps;
    }

    // saturate_cast<short>(w * INTER_RESIZE_COEF_SCALE): a float product, rounded half to even (cvRound).
    static int Fixed(float w) => (int)MathF.Round(w * CoefScale, MidpointRounding.ToEven);
}
