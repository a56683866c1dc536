"""Build ``lesson.webm``, the demo video lesson (and the video the tests play).

Run with PyAV and Pillow installed (``pip install av pillow``; neither is a dependency of the
project, which only ships the file this writes):

    python courses/video/demo_files/make_lesson_video.py

Four minutes of VP8 in WebM at one frame a second, 320 × 180: a clock and a progress bar, so a
screenshot shows where the player is. Every thirtieth frame is a keyframe (a seek decodes from
the one before it); the muxer writes cues, so the browser seeks without reading the whole
file. VP8 because Debian's Chromium plays it (it has no H.264).
"""

from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

SECONDS = 240
WIDTH, HEIGHT = 320, 180
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
OUT = Path(__file__).with_name("lesson.webm")


def frame_image(second: int) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), (12, 74, 110))
    draw = ImageDraw.Draw(image)
    big = ImageFont.truetype(FONT, 44)
    small = ImageFont.truetype(FONT, 16)
    draw.text(
        (WIDTH // 2, 70),
        f"{second // 60:02d}:{second % 60:02d}",
        font=big,
        anchor="mm",
        fill=(255, 255, 255),
    )
    draw.text(
        (WIDTH // 2, 120),
        "Grid Academy · safety briefing",
        font=small,
        anchor="mm",
        fill=(186, 230, 253),
    )
    draw.rectangle((20, 150, WIDTH - 20, 160), outline=(186, 230, 253))
    filled = 20 + (WIDTH - 40) * second // SECONDS
    draw.rectangle((20, 150, filled, 160), fill=(250, 204, 21))
    return image


def main():
    with av.open(str(OUT), mode="w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=1)
        stream.width, stream.height = WIDTH, HEIGHT
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.gop_size = 30
        stream.codec_context.bit_rate = 12_000
        for second in range(SECONDS):
            frame = av.VideoFrame.from_image(frame_image(second))
            frame.pts = second * 1000
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    print(OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
