namespace NativeCam.Classifiers;

/// <summary>The torchvision classifier families NativeCam builds from a state dict.</summary>
public enum ClassifierFamily
{
    /// <summary>torchvision.models.ResNet: resnet18…152, resnext*, wide_resnet* (BasicBlock or Bottleneck, any groups and width).</summary>
    ResNet,
    /// <summary>torchvision.models.VGG: vgg11…19 with or without BatchNorm.</summary>
    Vgg,
    /// <summary>torchvision.models.DenseNet: densenet121/161/169/201, any growth rate and block configuration.</summary>
    DenseNet,
    /// <summary>torchvision.models.MobileNetV2, any width_mult.</summary>
    MobileNetV2,
    /// <summary>torchvision.models.MobileNetV3: mobilenet_v3_small and mobilenet_v3_large, any width_mult, reduced_tail.</summary>
    MobileNetV3,
    /// <summary>torchvision.models.ShuffleNetV2: shufflenet_v2_x0_5 … x2_0, any stage repeats and widths.</summary>
    ShuffleNetV2,
    /// <summary>torchvision.models.SqueezeNet: squeezenet1_0 and squeezenet1_1, any widths and class count.</summary>
    SqueezeNet,
    /// <summary>torchvision.models.AlexNet, any widths and class count.</summary>
    AlexNet,
    /// <summary>torchvision.models.EfficientNet V1: efficientnet_b0 … b7, any width and depth multiplier of their setting.</summary>
    EfficientNet,
    /// <summary>torchvision.models.ConvNeXt: convnext_tiny/small/base/large, any block_setting.</summary>
    ConvNeXt,
    /// <summary>torchvision.models.Inception3: inception_v3, any widths and class count (aux head accepted, unused).</summary>
    InceptionV3,
    /// <summary>torchvision.models.GoogLeNet: googlenet, any widths and class count (aux heads accepted, unused).</summary>
    GoogLeNet,
}
