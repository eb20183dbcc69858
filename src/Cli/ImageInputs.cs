namespace NativeCam.Cli;

/// <summary>Expands the IMAGE|DIR arguments: files as given, directories as their image files in sorted order.</summary>
public static class ImageInputs
{
    static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp" };

    public static List<string> Expand(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        foreach (var a in arguments)
        {
            if (a.StartsWith('-') && !File.Exists(a)) throw new CliError($"unknown option {a} (see --help)");
            if (Directory.Exists(a))
            {
                var found = Directory.EnumerateFiles(a)
                    .Where(f => Extensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0) throw new CliError($"{a}: no .jpg, .jpeg, .png or .bmp files in this folder");
                files.AddRange(found);
            }
            else files.Add(a); // a file named on the command line is read whatever its extension (content decides)
        }
        return files;
    }
}
