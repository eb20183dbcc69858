namespace NativeCam.Cam.Render;

/// <summary>A rectangle of whole pixels inside a map or image: rows [Top, Top + Height), columns [Left, Left + Width).</summary>
public readonly record struct PixelWindow(int Top, int Left, int Height, int Width)
{
    /// <summary>The whole of an <paramref name="height"/> x <paramref name="width"/> plane.</summary>
    public static PixelWindow Full(int height, int width) => new(0, 0, height, width);

    /// <summary>True when the window is non-empty and lies inside an <paramref name="height"/> x <paramref name="width"/> plane.</summary>
    public bool FitsIn(int height, int width) =>
        Height > 0 && Width > 0 && Top >= 0 && Left >= 0 && Top + Height <= height && Left + Width <= width;

    public override string ToString() => $"rows {Top}..{Top + Height}, columns {Left}..{Left + Width}";
}
