from effects.ops import colour  # noqa: F401  region_tint, whiten, eyeliner
from effects.ops import lut  # noqa: F401  lut
from effects.ops import style  # noqa: F401  posterize, film_grain, vignette
from effects.ops import warp  # noqa: F401  radial_scale, contour_push, displace
from effects.ops import smooth  # noqa: F401  smooth_skin
from effects.ops import sticker  # noqa: F401  sticker, particles
from effects.ops import segment  # noqa: F401  background, hair_colour
