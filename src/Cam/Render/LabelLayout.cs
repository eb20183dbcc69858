namespace NativeCam.Cam.Render;

/// <summary>A label's place in pixels: the block [X, X + Width) × [Y, Y + Height).</summary>
public readonly record struct LabelRect(int X, int Y, int Width, int Height)
{
    /// <summary>Whether the two blocks share at least one pixel.</summary>
    public bool Overlaps(LabelRect other) =>
        X < other.X + other.Width && other.X < X + Width && Y < other.Y + other.Height && other.Y < Y + Height;

    /// <summary>Whether the block lies wholly inside a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public bool Inside(int width, int height) => X >= 0 && Y >= 0 && X + Width <= width && Y + Height <= height;
}

/// <summary>
/// Places the labels of several boxes on one image so that none leaves the image and none covers another: each goes
/// where YOLOv5 puts it (above the box's top-left corner, else just inside) when that spot is free, else to the free
/// spot nearest to it. Labels are placed in the order given (callers pass the most confident first), so the
/// important ones keep their usual place. A label that finds no free spot at all (the image is full of labels, or
/// it is larger than the image) gets none and is not drawn: a hidden label is better than an unreadable pile.
/// </summary>
public static class LabelLayout
{
    /// <summary>
    /// For box i (corners (X1, Y1), (X2, Y2) in pixels) and its label's <paramref name="sizes"/>[i], the label's
    /// place, or null when no free spot exists. Every place returned is inside the <paramref name="width"/> ×
    /// <paramref name="height"/> image and overlaps no other place returned.
    /// </summary>
    public static LabelRect?[] Place(IReadOnlyList<(int X1, int Y1, int X2, int Y2)> boxes, IReadOnlyList<(int Width, int Height)> sizes,
        int width, int height)
    {
        if (boxes.Count != sizes.Count) throw new ArgumentException($"label layout: {boxes.Count} boxes but {sizes.Count} label sizes");
        var placed = new List<LabelRect>();
        var result = new LabelRect?[boxes.Count];
        for (int i = 0; i < boxes.Count; i++)
        {
            var (x1, y1, x2, y2) = boxes[i];
            var (w, h) = sizes[i];
            if (w < 1 || h < 1 || w > width || h > height) continue;
            int x = Math.Clamp(x1, 0, width - w);
            // YOLOv5's spots first: above the corner, just inside it, then under the box and inside its bottom.
            LabelRect? spot = null;
            foreach (int y in new[] { y1 - h, y1, y2 + 1, y2 - h + 1 })
            {
                var r = new LabelRect(x, Math.Clamp(y, 0, height - h), w, h);
                if (!placed.Any(r.Overlaps)) { spot = r; break; }
            }
            spot ??= Nearest(placed, x, Math.Clamp(y1 - h, 0, height - h), w, h, width, height);
            if (spot is { } s)
            {
                placed.Add(s);
                result[i] = s;
            }
        }
        return result;
    }

    /// <summary>
    /// The free w × h spot nearest to (px, py). If any free spot exists, one exists whose left edge touches the image's
    /// left border or a placed label's right edge, and whose top edge touches the top border or a placed label's bottom
    /// edge (slide it left, then up, until it meets something); so those positions (plus the preferred ones) are the
    /// only candidates to try.
    /// </summary>
    static LabelRect? Nearest(List<LabelRect> placed, int px, int py, int w, int h, int width, int height)
    {
        var xs = placed.Select(p => p.X + p.Width).Concat(placed.Select(p => p.X - w)).Append(0).Append(px).Append(width - w)
            .Where(x => x >= 0 && x + w <= width).Distinct().ToArray();
        var ys = placed.Select(p => p.Y + p.Height).Concat(placed.Select(p => p.Y - h)).Append(0).Append(py).Append(height - h)
            .Where(y => y >= 0 && y + h <= height).Distinct().ToArray();
        LabelRect? best = null;
        long bestDistance = long.MaxValue;
        foreach (int y in ys)
            foreach (int x in xs)
            {
                long distance = (long)(x - px) * (x - px) + (long)(y - py) * (y - py);
                if (distance >= bestDistance) continue;
                var r = new LabelRect(x, y, w, h);
                if (placed.Any(r.Overlaps)) continue;
                best = r;
                bestDistance = distance;
            }
        return best;
    }
}
