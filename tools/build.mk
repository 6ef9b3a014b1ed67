# SPDX-License-Identifier: MIT
# tools/build.mk: host tools (mkimage: xl.cfg parser, device-tree builder, image packer).
