using NativeCam.Layers;

namespace NativeCam.Yolo;

/// <summary>
/// One entry of the network's layer list: where its inputs come from (-1 = the previous layer), what it
/// is, its output channels, and the module that runs it (null for Concat, which has no weights).
/// </summary>
public sealed record YoloLayer(int Index, int[] From, string Type, int OutChannels, Module? Module)
{
    public string Path => $"model.{Index}";
}
