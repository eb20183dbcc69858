using NativeCam.Cam.Render;
using NativeCam.Imaging;

namespace NativeCam.Cli;

/// <summary>The contact sheet of a torchvision detector's detect-cam: the annotated image and its first overlays.</summary>
static class TorchvisionSheet
{
    /// <summary>Sheet tiles at most this wide, this many per row, at most this many overlays (a sheet stays under ~1900 px wide).</summary>
    const int TileWidth = 300, Columns = 6, MaxOverlays = 23;

    /// <summary>The annotated image and the first overlays, each scaled to TileWidth, Columns per row.</summary>
    public static RgbImage Compose(RgbImage annotated, List<SheetTile> overlays)
    {
        RgbImage Small(RgbImage i) => i.Width <= TileWidth ? i
            : PilResize.Bilinear(i, Math.Max(1, (int)Math.Round((double)i.Height * TileWidth / i.Width)), TileWidth);
        var tiles = overlays.Take(MaxOverlays).Select(t => t with { Image = Small(t.Image) }).ToList();
        return ContactSheet.Compose(Small(annotated), tiles, Columns);
    }
}
