namespace NativeCam.Vit;

/// <summary>
/// The shape of a Vision Transformer: square images of <see cref="ImageSize"/> cut into
/// <see cref="PatchSize"/>² patches, <see cref="Depth"/> pre-norm encoder blocks of width <see cref="Hidden"/>
/// with <see cref="Heads"/> attention heads and an MLP of width <see cref="MlpDim"/>, and a linear head on
/// the class token. timm and torchvision ViTs both use LayerNorm eps 1e-6, Hugging Face's ViTConfig 1e-12.
/// </summary>
public sealed record VitConfig(int ImageSize, int PatchSize, int Depth, int Heads, int Hidden, int MlpDim, int Classes,
    double LayerNormEps = 1e-6)
{
    /// <summary>ViT-B/16 at 224 (86M parameters), ImageNet-1k head.</summary>
    public static VitConfig B16 { get; } = new(224, 16, 12, 12, 768, 3072, 1000);

    /// <summary>Patches per side.</summary>
    public int Grid => ImageSize / PatchSize;

    /// <summary>Tokens per image: the class token plus one per patch.</summary>
    public int Tokens => 1 + Grid * Grid;

    /// <summary>Width of one attention head.</summary>
    public int HeadDim => Hidden / Heads;

    /// <summary>Throws if the numbers do not describe a ViT this model can run.</summary>
    public VitConfig Validate()
    {
        if (ImageSize <= 0 || PatchSize <= 0 || ImageSize % PatchSize != 0)
            throw new InvalidDataException($"ViT: image size {ImageSize} is not a positive multiple of the patch size {PatchSize}");
        if (Depth <= 0 || Hidden <= 0 || MlpDim <= 0 || Classes <= 0 || Heads <= 0)
            throw new InvalidDataException($"ViT: depth {Depth}, hidden {Hidden}, MLP {MlpDim}, classes {Classes} and heads {Heads} must be positive");
        if (Hidden % Heads != 0)
            throw new InvalidDataException($"ViT: hidden width {Hidden} does not split into {Heads} heads");
        return this;
    }

    /// <summary>
    /// Reads the configuration off the shapes of a canonical (timm-named) state dict: hidden width and patch
    /// size from <c>patch_embed.proj.weight</c> [hidden, 3, p, p], image size from <c>pos_embed</c> [1, 1 + (image/p)², hidden],
    /// depth from the number of <c>blocks.N</c>, MLP width from <c>blocks.0.mlp.fc1.weight</c>, classes from
    /// <c>head.weight</c>. The head count is not in the shapes: pass it, or it defaults to 12 for hidden 768 (ViT-B).
    /// </summary>
    public static VitConfig Infer(IReadOnlyDictionary<string, int[]> shapes, int? heads = null, double layerNormEps = 1e-6)
    {
        int[] Shape(string name, int rank) =>
            shapes.TryGetValue(name, out var s) && s.Length == rank ? s
            : throw new InvalidDataException(s is null ? $"ViT checkpoint has no tensor '{name}'"
                : $"ViT tensor '{name}' has shape [{string.Join(", ", s)}], expected {rank} dimensions");

        var patch = Shape("patch_embed.proj.weight", 4);
        if (patch[1] != 3 || patch[2] != patch[3])
            throw new InvalidDataException($"ViT patch embedding [{string.Join(", ", patch)}] is not [hidden, 3, p, p]");
        int hidden = patch[0], patchSize = patch[2];
        int tokens = Shape("pos_embed", 3)[1];
        int grid = (int)Math.Round(Math.Sqrt(tokens - 1));
        if (tokens < 2 || grid * grid != tokens - 1)
            throw new InvalidDataException($"ViT position embedding has {tokens} tokens, not 1 + a square number of patches");
        int depth = 0;
        while (shapes.ContainsKey($"blocks.{depth}.norm1.weight")) depth++;
        if (depth == 0) throw new InvalidDataException("ViT checkpoint has no encoder blocks (blocks.0.norm1.weight)");
        int mlp = Shape("blocks.0.mlp.fc1.weight", 2)[0];
        int classes = Shape("head.weight", 2)[0];
        int h = heads ?? (hidden == 768 ? 12 : throw new InvalidDataException(
            $"ViT checkpoint with hidden width {hidden} does not say its number of attention heads: pass it " +
            "(e.g. 3 for ViT-Ti/DeiT-Ti, 6 for ViT-S, 12 for ViT-B, 16 for ViT-L)"));
        return new VitConfig(grid * patchSize, patchSize, depth, h, hidden, mlp, classes, layerNormEps).Validate();
    }
}
