using NativeCam.Yolo;

namespace NativeCam.Cli.Reports;

/// <summary>One detection as reports show it (docs/report.md): boxes in original-image pixels, plus where it came from.</summary>
public sealed record DetectionRecord(
    int Index, int ClassId, string ClassName, double Confidence, double[] BoxXyxy,
    int Level, int Anchor, int[] Cell, double Logit)
{
    public static DetectionRecord From(int index, Detection d, IReadOnlyList<string> names) => new(
        index, d.ClassId, names[d.ClassId], Math.Round(d.Confidence, 6),
        [Round(d.ImageBox.X1), Round(d.ImageBox.Y1), Round(d.ImageBox.X2), Round(d.ImageBox.Y2)],
        d.Level, d.Anchor, [d.GridY, d.GridX], Math.Round(d.ClassLogit, 6));

    static double Round(float v) => Math.Round(v, 2);
}
