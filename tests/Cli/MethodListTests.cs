using NativeCam.Cli;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>`--method`: one name, a comma list, or all — and all means each command's own list.</summary>
public class MethodListTests
{
    [Fact]
    public void AllExpandsToEveryMethodOfTheCommandInOrder()
    {
        var detect = CamOptions.ParseMethods("all", CamOptions.AllDetectorMethods);
        Assert.Equal(CamOptions.AllDetectorMethods, detect.Select(m => m.Name));
        Assert.Null(detect.Single(m => m.Name == "guided-gradcam").Method); // a picture, not a heat map
        var classify = CamOptions.ParseMethods("all", [.. CamOptions.AllClassifierMethods, "cam"], CamOptions.AllClassifierMethods);
        Assert.DoesNotContain(classify, m => m.Name == "cam");
    }

    [Fact]
    public void ACommaListKeepsItsOrderAndDropsRepeats() =>
        Assert.Equal(["gradcam", "layercam"], CamOptions.ParseMethods(" GradCAM , layercam,gradcam ", CamOptions.AllDetectorMethods).Select(m => m.Name));

    [Fact]
    public void AMethodTheCommandCannotUseIsAnErrorListingTheValidOnes()
    {
        var e = Assert.Throws<CliError>(() => CamOptions.ParseMethods("cam", CamOptions.AllDetectorMethods)); // a detector has no pooled head
        Assert.Contains("unknown --method 'cam'", e.Message);
        Assert.Contains("layercam", e.Message);
        Assert.Throws<CliError>(() => CamOptions.ParseMethods(",", CamOptions.AllDetectorMethods));
    }
}
