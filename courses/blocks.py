"""StreamField blocks for course materials and lesson bodies."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    description = blocks.CharBlock(
        label=pgettext_lazy("courses", "description"), required=False, max_length=200
    )

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "courses/blocks/document.html"


class VideoBlock(blocks.StructBlock):
    """A video uploaded to the document library (MP4) or embedded from a video site."""

    file = DocumentChooserBlock(
        label=_("video file"), required=False, help_text=_("An MP4 from the document library.")
    )
    embed = EmbedBlock(label=_("embedded video"), required=False)
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks.struct_block import StructBlockValidationError

        value = super().clean(value)
        if not value.get("file") and not value.get("embed"):
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(_("Choose a video file or give a link to embed."))
                }
            )
        return value

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = pgettext_lazy("courses", "Image")
        template = "courses/blocks/image.html"


class KeyPointsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=100)
    points = blocks.ListBlock(
        blocks.CharBlock(label=_("point"), max_length=300), label=pgettext_lazy("courses", "points")
    )

    class Meta:
        icon = "list-ul"
        label = _("Key points")
        template = "courses/blocks/key_points.html"


class MaterialStreamBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(
        label=pgettext_lazy("courses", "Text"),
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
    )
    document = DocumentBlock()
    video = VideoBlock()
    image = ImageBlock()
    key_points = KeyPointsBlock()
