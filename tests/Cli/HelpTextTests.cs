using System.CommandLine;
using NativeCam.Cli;
using Xunit;

namespace NativeCam.Tests.Cli;

/// <summary>Help prints every default once: System.CommandLine adds "[default: X]" for an option with a
/// DefaultValueFactory, so its description must not say it again ("Default: 640. [default: 640]", #21 §8).</summary>
public class HelpTextTests
{
    static IEnumerable<Command> Commands() =>
    [
        DetectCamCommand.Create(), DetectCommand.Create(), MetricsCommand.Create(), VitCamCommand.Create(), ClassifyCommand.Create(),
        ClassifyCamCommand.Create(), FeaturesCommand.Create(), DeviceCommand.Create(), ConvertCommand.Create(), InspectCommand.Create(),
        LayersCommand.Create(), AutogradDemoCommand.Create(),
    ];

    [Fact]
    public void NoDescriptionRepeatsTheDefaultSystemCommandLinePrints()
    {
        var repeated = Commands().SelectMany(c => c.Options.Where(o => o.HasDefaultValue
                && (o.Description ?? "").Contains("default", StringComparison.OrdinalIgnoreCase) && !(o.Description ?? "").Contains("the default is"))
            .Select(o => $"{c.Name} {o.Name}: {o.Description}")).ToList();
        Assert.True(repeated.Count == 0, "descriptions that repeat [default: X]:\n" + string.Join("\n", repeated));
    }
}
