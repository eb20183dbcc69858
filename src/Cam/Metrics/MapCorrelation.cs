namespace NativeCam.Cam.Metrics;

/// <summary>How alike the maps of different detections in one image are (distinctness, docs/cam.md).</summary>
public static class MapCorrelation
{
    /// <summary>Pearson correlation of two maps of the same size, in float64. A constant map has no spread: two
    /// constant maps correlate 1 when equal (two empty maps are the same picture) and 0 otherwise; a constant and a
    /// varying map correlate 0.</summary>
    public static double Pearson(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length || a.Length == 0) throw new ArgumentException($"correlation: maps of {a.Length} and {b.Length} values");
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length; mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        if (saa == 0 && sbb == 0) return a.SequenceEqual(b) ? 1 : 0;
        if (saa == 0 || sbb == 0) return 0;
        return Math.Clamp(sab / Math.Sqrt(saa * sbb), -1, 1);
    }

    /// <summary>Per map k, the highest correlation with another map and that map's index (the first on ties); null
    /// when there is no other map. Distinctness is 1 − that correlation.</summary>
    public static (double Correlation, int Other)?[] Nearest(IReadOnlyList<float[]> maps)
    {
        int k = maps.Count;
        var corr = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++)
                corr[i, j] = corr[j, i] = Pearson(maps[i], maps[j]);
        var result = new (double, int)?[k];
        for (int i = 0; i < k; i++)
        {
            int other = -1;
            for (int j = 0; j < k; j++)
                if (j != i && (other < 0 || corr[i, j] > corr[i, other])) other = j;
            result[i] = other < 0 ? null : (corr[i, other], other);
        }
        return result;
    }
}
