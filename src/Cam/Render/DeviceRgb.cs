using ILGPU;
using ILGPU.Runtime;
using NativeCam.Imaging;
using Device = NativeCam.Tensors.Device;

namespace NativeCam.Cam.Render;

/// <summary>
/// <see cref="Count"/> 8-bit RGB images of one size on a device, packed [Count, Height, Width, 3] (row-major,
/// channels R, G, B, the layout of <see cref="RgbImage.Pixels"/>). The rendering kernels read and write these;
/// <see cref="ToImages"/> brings them back in one copy.
/// </summary>
public sealed class DeviceRgb : IDisposable
{
    readonly MemoryBuffer1D<byte, Stride1D.Dense> _buffer;

    public Device Device { get; }
    public int Count { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>Bytes of one image (Height · Width · 3).</summary>
    public int ImageBytes => Height * Width * 3;

    DeviceRgb(Device device, int count, int height, int width)
    {
        if (count <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"device RGB images: {count} images of {height}x{width} (all must be positive)");
        if ((long)count * height * width * 3 > int.MaxValue)
            throw new ArgumentException($"device RGB images: {count} images of {height}x{width} exceed 2^31 bytes");
        Device = device;
        Count = count;
        Height = height;
        Width = width;
        _buffer = device.Accelerator.Allocate1D<byte>((long)count * height * width * 3);
    }

    internal ArrayView<byte> View => _buffer.View;

    /// <summary>The first byte in host memory, for the CPU kernels (only on a CPU device, whose buffers are host memory).</summary>
    internal unsafe byte* Pointer
    {
        get
        {
            if (!Device.IsCpu) throw new InvalidOperationException("host pointers exist only on a CPU device");
            return (byte*)View.LoadEffectiveAddressAsPtr();
        }
    }

    /// <summary>Uninitialised storage for <paramref name="count"/> images of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static DeviceRgb Allocate(Device device, int count, int height, int width) => new(device, count, height, width);

    /// <summary>Copies one host image to the device.</summary>
    public static DeviceRgb Upload(Device device, RgbImage image)
    {
        var d = new DeviceRgb(device, 1, image.Height, image.Width);
        d._buffer.View.CopyFromCPU(image.Pixels);
        return d;
    }

    /// <summary>All images back on the host (one copy into each image's pixels; waits for pending kernels).</summary>
    public RgbImage[] ToImages()
    {
        var images = new RgbImage[Count];
        for (int k = 0; k < Count; k++)
        {
            var pixels = GC.AllocateUninitializedArray<byte>(ImageBytes);
            _buffer.View.SubView((long)k * ImageBytes, ImageBytes).CopyToCPU(pixels);
            images[k] = new RgbImage(Height, Width, pixels);
        }
        return images;
    }

    public void Dispose() => _buffer.Dispose();

    public override string ToString() => $"DeviceRgb [{Count}, {Height}, {Width}, 3]";
}
