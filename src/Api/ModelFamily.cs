namespace NativeCam;

/// <summary>The kinds of network <see cref="Explainer.Load"/> recognises from a weight file's content.</summary>
public enum ModelFamily
{
    /// <summary>A YOLOv5 detector: every detection is explained.</summary>
    Yolov5,
    /// <summary>An Ultralytics YOLOv8 or YOLO11 detector: every detection is explained (no objectness).</summary>
    Yolov8,
    /// <summary>A torchvision classifier (ResNet, ResNeXt, Wide ResNet, VGG, DenseNet, MobileNet v2).</summary>
    Classifier,
    /// <summary>A Vision Transformer (timm/DeiT or torchvision layout).</summary>
    Vit,
}
