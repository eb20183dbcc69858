using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace NativeCam.Tests.Packaging;

/// <summary>Every public type of the shipped assemblies has an XML doc summary: the packages carry them to users' IDEs.</summary>
public class PublicTypeDocsTests
{
    /// <summary>The assemblies the NuGet packages ship (the CLI tool is nativecam.dll).</summary>
    public static TheoryData<string> Shipped() =>
    [
        "NativeCam.Tensors", "NativeCam.Autograd", "NativeCam.Layers", "NativeCam.Imaging", "NativeCam.Yolo", "NativeCam.Vit",
        "NativeCam.Classifiers", "NativeCam.Cam", "NativeCam.Cam.Yolo", "NativeCam.Cam.Vit", "NativeCam.Cam.Classifiers",
        "NativeCam.WeightConverter", "NativeCam.Api", "nativecam",
    ];

    [Theory]
    [MemberData(nameof(Shipped))]
    public void EveryPublicTypeHasASummary(string assemblyName)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        string xml = Path.ChangeExtension(dll, ".xml");
        Assert.True(File.Exists(xml), $"{Path.GetFileName(xml)} is not next to the tests: GenerateDocumentationFile must stay on");
        var documented = XDocument.Load(xml).Descendants("member")
            .Where(m => !string.IsNullOrWhiteSpace((string?)m.Element("summary")) || m.Element("inheritdoc") != null)
            .Select(m => (string)m.Attribute("name")!).ToHashSet();
        var missing = Assembly.LoadFrom(dll).GetExportedTypes()
            .Select(t => "T:" + t.FullName!.Replace('+', '.'))
            .Where(name => !documented.Contains(name)).Order().ToList();
        Assert.True(missing.Count == 0, $"{assemblyName}: public types without a <summary>: {string.Join(", ", missing)}");
    }
}
