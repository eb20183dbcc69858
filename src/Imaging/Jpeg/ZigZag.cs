namespace NativeCam.Imaging.Jpeg;

/// <summary>The zig-zag scan order of coefficients within an 8x8 block (ITU T.81 figure A.6).</summary>
static class ZigZag
{
    /// <summary>
    /// Natural (row-major) position of the k-th coefficient in zig-zag order. 16 extra entries of 63 follow
    /// the 64 real ones: a corrupt run can push k past 63, and libjpeg then writes the last coefficient
    /// instead of outside the block; we do the same so such files decode alike.
    /// </summary>
    public static readonly int[] ToNatural = Build();

    static int[] Build()
    {
        var order = new int[64 + 16];
        int k = 0;
        // Walk the anti-diagonals d = row + col, alternating direction: up-right on even d, down-left on odd.
        for (int d = 0; d < 15; d++)
        {
            int lo = Math.Max(0, d - 7), hi = Math.Min(d, 7);
            for (int i = lo; i <= hi; i++)
            {
                int row = d % 2 == 0 ? d - i : i;
                order[k++] = row * 8 + (d - row);
            }
        }
        for (; k < order.Length; k++) order[k] = 63;
        return order;
    }
}
