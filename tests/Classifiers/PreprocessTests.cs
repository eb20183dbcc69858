using NativeCam.Imaging;
using NativeCam.Tensors;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// The classifier transform (Resize 256 with PIL's antialiased bilinear, CenterCrop 224, ToTensor, ImageNet
/// normalisation) against torchvision 0.14 on PIL 9.4 (tests/reference/classifier_preprocess_reference.py): every value
/// equal to float32 rounding (the resize is PIL's, bit for bit: PilResizeTests).
/// </summary>
public class PreprocessTests
{
    [Theory]
    [InlineData("bus")]
    [InlineData("zidane")]
    public void Input_equals_torchvision(string name)
    {
        var image = ImageLoader.Load(Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", name + ".jpg"));
        var (picture, input) = new ClassifierTransform().Apply(image);
        var (expected, shape) = Npy.Read(Path.Combine(ClassifierFixture.Folder, name + "_224.npy"));
        Assert.Equal([1, 3, 224, 224], shape);
        Assert.Equal((224, 224), (picture.Height, picture.Width));
        int n = 224 * 224;
        double worst = 0;
        for (int i = 0; i < input.Length; i++)
            worst = Math.Max(worst, Math.Abs(input[i] - expected[i]) * 255 * ClassifierTransform.ImageNetStd[i / n]);
        Assert.True(worst < 1e-3, $"{name}: worst difference {worst:F5} grey levels"); // float32 rounding of the normalisation only
    }

    [Fact]
    public void No_crop_keeps_the_resized_image_and_options_apply()
    {
        var image = new RgbImage(10, 20, Enumerable.Range(0, 600).Select(i => (byte)i).ToArray());
        var (picture, input) = new ClassifierTransform(Resize: 8, Crop: null, Mean: [0, 0, 0], Std: [1, 1, 1]).Apply(image);
        Assert.Equal((8, 16), (picture.Height, picture.Width));
        Assert.Equal(3 * 8 * 16, input.Length);
        Assert.Equal(picture.Pixels[0] / 255f, input[0]);
        Assert.Throws<ArgumentException>(() => new ClassifierTransform(Resize: null, Crop: 40).Apply(image));
    }
}
