namespace NativeCam.Cam.Render;

/// <summary>Where a map's minimum and maximum are taken before normalising it.</summary>
public enum NormalizeRegion
{
    /// <summary>Over the whole letterboxed network input, padding included (what the YOLO Grad-CAM tools do:
    /// they normalise at input size and draw on the padded input). The default.</summary>
    NetworkInput,

    /// <summary>Over the part of the input that shows the image (padding excluded), so the visible overlay
    /// always spans the full colour range.</summary>
    Image,
}

/// <summary>Options of <see cref="HeatmapRenderer"/>.</summary>
public sealed record HeatmapOptions
{
    /// <summary>Weight of the JET colours in the blend; the image gets 1 − weight. Default 0.3, the seed tools'
    /// <c>0.3 * heatmap + 0.7 * img</c>.</summary>
    public double HeatmapWeight { get; init; } = 0.3;

    /// <summary>Where min and max are taken (default: the whole network input, as the tools do).</summary>
    public NormalizeRegion NormalizeOver { get; init; } = NormalizeRegion.NetworkInput;

    /// <summary>One range for every map instead of each map's own min and max (null, the default): a value v is drawn
    /// as (v − Min) / (Max − Min), so maps rendered with the same range can be compared by their colours. Callers take
    /// it from <see cref="HeatmapRenderer.Stats"/> of all the maps (<see cref="MapStats.Union"/>). The statistics
    /// returned are still each map's own.</summary>
    public MapStats? SharedRange { get; init; }

    public static HeatmapOptions Default { get; } = new();
}
