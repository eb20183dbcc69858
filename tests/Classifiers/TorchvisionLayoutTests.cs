using System.Text.Json;
using NativeCam.Classifiers;
using Xunit;

namespace NativeCam.Tests.Classifiers;

/// <summary>
/// The key → shape layouts of torchvision's own full-size builders (tests/fixtures/classifiers/layouts.json, written by
/// tests/reference/classifiers_reference.py without their weights) are inferred as those builders' names: the names
/// a user sees for the real downloads, checked without shipping them.
/// </summary>
public class TorchvisionLayoutTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Layouts().Keys) data.Add(name);
        return data;
    }

    static Dictionary<string, Dictionary<string, int[]>> Layouts() =>
        JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, int[]>>>(
            File.ReadAllText(Path.Combine(ClassifierFixture.Folder, "layouts.json")))!;

    [Theory]
    [MemberData(nameof(Names))]
    public void Full_size_layout_is_inferred_as_its_torchvision_name(string name)
    {
        var arch = ArchInference.Infer(Layouts()[name]);
        Assert.Equal(name, arch.Name);
        Assert.Equal(1000, arch.Classes);
        ArchInference.Check(arch, name);
    }
}
