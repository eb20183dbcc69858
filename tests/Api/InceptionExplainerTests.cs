using NativeCam.Tests.Classifiers;
using Xunit;

namespace NativeCam.Tests.Api;

/// <summary>The facade loads Inception v3 and GoogLeNet from their state dicts, Inception v3 at its 342/299 transform.</summary>
public class InceptionExplainerTests
{
    [Theory]
    [InlineData("inception_v3_small", 299)]
    [InlineData("googlenet_small", 224)]
    public void Explains_at_the_familys_input_size(string name, int size)
    {
        using var explainer = NativeCam.Explainer.Load(Path.Combine(ClassifierFixture.Folder, name + ".pt"), device: "cpu");
        Assert.Equal(NativeCam.ModelFamily.Classifier, explainer.Family);
        var result = explainer.Explain(Path.Combine(Yolo.YoloFixture.RepoRoot(), "samples", "bus.jpg"), top: 2);
        Assert.Equal((size, size), (result.Image.Height, result.Image.Width));
        Assert.Equal(2, result.Targets.Count);
        foreach (var t in result.Targets)
        {
            Assert.Equal((size, size), (t.Map.GetLength(0), t.Map.GetLength(1)));
            Assert.True(t.Map.Cast<float>().All(float.IsFinite));
        }
    }
}
