namespace NativeCam.Imaging;

/// <summary>An axis-aligned box by its corners (x1, y1) top-left and (x2, y2) bottom-right, in pixels.</summary>
public readonly record struct Box(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;

    public override string ToString() => $"({X1:0.##}, {Y1:0.##}, {X2:0.##}, {Y2:0.##})";
}
