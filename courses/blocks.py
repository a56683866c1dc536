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
    """A video uploaded to the document library (MP4 or WebM) or embedded from a video site.

    Only an uploaded file is tracked (courses/video): the player reports what was watched, the
    lesson counts once the video is watched, and the watched time earns training hours. An
    embedded player belongs to another site and reports nothing to us.
    """

    file = DocumentChooserBlock(
        label=_("video file"),
        required=False,
        help_text=_(
            "An MP4 or WebM from the document library. Only an uploaded file is tracked: "
            "the lesson counts once it is watched, and the watched time earns training hours."
        ),
    )
    embed = EmbedBlock(
        label=_("embedded video"),
        required=False,
        help_text=_(
            "A video from another site. It cannot be tracked: nobody's watching is recorded, "
            "it does not hold the lesson back and it earns no hours by itself."
        ),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)
    prevent_skipping = blocks.BooleanBlock(
        label=_("no skipping ahead"),
        required=False,
        default=False,
        help_text=_(
            "Learners cannot seek past the furthest point they have watched, and nothing "
            "watched beyond it counts (uploaded files only)."
        ),
    )

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
