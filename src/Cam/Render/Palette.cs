namespace NativeCam.Cam.Render;

/// <summary>YOLOv5's 20 class colours (utils/plots.py <c>Colors</c>): class c gets colour c mod 20.</summary>
public static class Palette
{
    static readonly string[] Hex =
    [
        "FF3838", "FF9D97", "FF701F", "FFB21D", "CFD231", "48F90A", "92CC17", "3DDB86", "1A9334", "00D4BB",
        "2C99A8", "00C2FF", "344593", "6473FF", "0018EC", "8438FF", "520085", "CB38FF", "FF95C8", "FF37C7",
    ];

    public static IReadOnlyList<Rgb> Colors { get; } = Hex.Select(Rgb.FromHex).ToArray();

    /// <summary>The colour of class <paramref name="classId"/> (RGB; YOLOv5 passes bgr=True only because OpenCV draws BGR).</summary>
    public static Rgb ForClass(int classId) => Colors[((classId % Colors.Count) + Colors.Count) % Colors.Count];
}
