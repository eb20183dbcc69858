using NativeCam.Imaging;
using NativeCam.Tensors;
using NativeCam.Yolo;
using Xunit;

namespace NativeCam.Tests.Yolo;

/// <summary>
/// The letterbox's host code (the `cpu` device) against the ILGPU kernel on ILGPU's CPU accelerator, on random
/// images of awkward sizes: one pixel, odd widths, up- and downscaling in one or both axes, an unchanged size,
/// padding on each side or none. Same integer arithmetic from the same tap tables: bit-identical.
/// </summary>
public class CpuLetterboxTests
{
    [Theory]
    //          h     w  size  auto  scaleUp
    [InlineData(1, 1, 32, true, true)]       // one pixel enlarged to the whole input
    [InlineData(1, 1, 64, false, false)]     // one pixel, not enlarged: all padding but one pixel
    [InlineData(3, 7, 64, true, true)]       // tiny odd image, upscaled
    [InlineData(37, 50, 64, true, true)]     // odd width, upscaled, padding top and bottom
    [InlineData(50, 37, 64, false, true)]    // odd width, full square: padding left and right
    [InlineData(333, 129, 160, true, true)]  // downscaled, odd
    [InlineData(97, 641, 320, false, true)]  // very wide, downscaled
    [InlineData(64, 64, 64, true, true)]     // unchanged size, no padding
    [InlineData(45, 61, 128, true, false)]   // not upscaled: identity taps plus padding
    public void HostLetterboxMatchesTheIlgpuKernel(int h, int w, int size, bool auto, bool scaleUp)
    {
        var pixels = new Rng(h * 1000 + w).Uniform(h * w * 3, 0, 256).Select(v => (byte)Math.Min(255, v)).ToArray();
        var image = new RgbImage(h, w, pixels);
        var info = Letterbox.Plan(h, w, size, size, auto, scaleUp);
        var (cpu, _) = Letterbox.Apply(TestDevice.Simd, image, info);
        var (reference, _) = Letterbox.Apply(TestDevice.IlgpuCpu, image, info);
        using (cpu)
        using (reference)
        {
            Assert.Equal(reference.Shape, cpu.Shape);
            var a = cpu.ToArray();
            var e = reference.ToArray();
            int first = Enumerable.Range(0, a.Length).FirstOrDefault(i => BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(e[i]), -1);
            Assert.True(first < 0, $"{h}x{w} -> {info.InputHeight}x{info.InputWidth}: element {first} differs");
        }
    }
}
