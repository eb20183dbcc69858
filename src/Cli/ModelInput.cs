using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;

namespace NativeCam.Cli;

/// <summary>
/// What goes into the network for one run: a decoded and letterboxed image, or (with --tensor) an NCHW float32
/// .npy that is already letterboxed and scaled, used as is so numbers can be compared with other frameworks.
/// </summary>
public sealed record ModelInput(string Name, RgbImage? Image, Tensor Tensor, LetterboxInfo Info) : IDisposable
{
    public static ModelInput FromImage(Device device, string path, int size, long maxPixels)
    {
        var image = ImageInputs.Decode(path, maxPixels);
        var (tensor, info) = Letterbox.Apply(device, image, size);
        return new ModelInput(Path.GetFileName(path), image, tensor, info);
    }

    public static ModelInput FromNpy(Device device, string path)
    {
        InputFile.Check(path);
        float[] data;
        int[] shape;
        try { (data, shape) = Npy.Read(path); }
        catch (InvalidDataException e) { throw new CliError(e.Message); }
        if (shape is not [1, 3, var h, var w] || h % 32 != 0 || w % 32 != 0 || h == 0 || w == 0)
            throw new CliError($"{Path.GetFileName(path)}: --tensor needs a float32 array of shape [1, 3, H, W] with H and W multiples of 32, got {Tensor.Format(shape)}");
        var tensor = Tensor.FromArray(device, data, shape);
        // No letterbox happened: the image is the input, at scale 1 with no padding.
        var info = new LetterboxInfo(1, 0, 0, 0, 0, 0, 0, h, w, h, w, h, w);
        return new ModelInput(Path.GetFileName(path), null, tensor, info);
    }

    public void Dispose() => Tensor.Dispose();
}
