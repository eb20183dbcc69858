namespace NativeCam.Classifiers;

/// <summary>
/// The torchvision evaluation transform's sizes a family's pretrained weights were published with: Resize(342) and
/// CenterCrop(299) for Inception v3 (Inception_V3_Weights' transforms), Resize(256) and CenterCrop(224) for the others.
/// </summary>
public static class ClassifierInput
{
    /// <summary>The shorter side after resizing and the centre crop for <paramref name="family"/>.</summary>
    public static (int Resize, int Crop) Sizes(ClassifierFamily family) => family == ClassifierFamily.InceptionV3 ? (342, 299) : (256, 224);

    /// <summary>Sets <paramref name="model"/>'s transform_input (Inception v3, GoogLeNet); null keeps the default (on).</summary>
    /// <exception cref="ArgumentException">A value is given for a model without transform_input.</exception>
    public static void SetTransformInput(ClassifierModel model, bool? value)
    {
        if (value is not bool on) return;
        if (model is not ITransformInput t)
            throw new ArgumentException($"transform_input applies to inception_v3 and googlenet only, not {model.Arch.Name}");
        t.TransformInput = on;
    }
}
