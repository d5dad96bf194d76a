"""Argument checking of every public function, beyond tests/test_encode.py and
tests/test_decode.py: each bad argument gives TypeError or ValueError (or the
OSError of open for a path) with a message naming the argument, the dtype or
the path, and nothing is written or read before the arguments are known good."""
import pathlib

import numpy as np
import pytest

import jpeglite

RGB = np.random.default_rng(3).integers(0, 256, (16, 24, 3), dtype=np.uint8)
JPEG = jpeglite.encode(RGB, 80)


# ---- encode: the image ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["int8", "int16", "uint16", "int64", "float64", "float16",
                                   "complex64", ">u2", "object"])
def test_only_uint8_images_and_the_dtype_is_named(dtype):
    image = np.zeros((8, 8, 3), dtype=dtype)
    with pytest.raises(TypeError, match="uint8") as info:
        jpeglite.encode(image)
    assert str(np.dtype(dtype)) in str(info.value)


@pytest.mark.parametrize("image", [np.array(7, np.uint8), np.zeros((8, 8, 2), np.uint8),
                                   np.zeros((8, 8, 4), np.uint8), np.zeros((1, 8, 8, 3), np.uint8),
                                   np.zeros((65536, 0), np.uint8)])
def test_bad_shapes_name_the_shape(image):
    with pytest.raises(ValueError, match=r"shape|height and width") as info:
        jpeglite.encode(image)
    shown = str(image.shape) if image.ndim != 2 else "x".join(map(str, image.shape))
    assert shown in str(info.value)


def test_read_only_and_unaligned_images_encode():
    ro = RGB.copy()
    ro.flags.writeable = False
    assert jpeglite.encode(ro) == JPEG_DEFAULT
    # a uint8 view at an odd offset of a bigger buffer
    raw = np.zeros(RGB.size + 1, np.uint8)
    odd = raw[1:].reshape(RGB.shape)
    odd[...] = RGB
    assert jpeglite.encode(odd) == JPEG_DEFAULT


JPEG_DEFAULT = jpeglite.encode(RGB)


# ---- encode: the options ----------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, name", [
    ({"quality": np.bool_(True)}, TypeError, "quality"),
    ({"quality": 2 ** 64}, ValueError, "quality"),
    ({"quality": np.uint8(0)}, ValueError, "quality"),
    ({"quality": complex(75)}, TypeError, "quality"),
    ({"restart_interval": True}, TypeError, "restart_interval"),
    ({"restart_interval": np.bool_(False)}, TypeError, "restart_interval"),
    ({"restart_interval": -2 ** 31}, ValueError, "restart_interval"),
    ({"restart_interval": 2 ** 31}, ValueError, "restart_interval"),
    ({"restart_interval": 2 ** 64}, ValueError, "restart_interval"),
    ({"restart_interval": np.uint64(2 ** 64 - 1)}, ValueError, "restart_interval"),
    ({"restart_interval": np.int64(-1)}, ValueError, "restart_interval"),
    ({"restart_interval": "8"}, TypeError, "restart_interval"),
    ({"restart_interval": None}, TypeError, "restart_interval"),
    ({"optimize": None}, TypeError, "optimize"),
    ({"optimize": 0}, TypeError, "optimize"),
    ({"subsampling": b"4:2:0"}, TypeError, "subsampling"),
    ({"subsampling": "4:2:0 "}, ValueError, "subsampling"),
])
def test_bad_options_are_named(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        jpeglite.encode(RGB, **kwargs)
    with pytest.raises(exc, match=name):
        jpeglite.encode(RGB[..., 0], **kwargs)     # grayscale checks them too


def test_extreme_valid_options_encode():
    for ri in (1, 65535):
        assert jpeglite.decode(jpeglite.encode(RGB, 1, restart_interval=ri)).shape == RGB.shape
    assert jpeglite.encode(RGB, 100, restart_interval=np.uint16(65535))


# ---- write ------------------------------------------------------------------------------

def test_write_to_a_directory_names_the_path(tmp_path):
    with pytest.raises(IsADirectoryError) as info:
        jpeglite.write(tmp_path, RGB)
    assert str(tmp_path) in str(info.value)


def test_write_into_a_missing_directory_names_the_path(tmp_path):
    path = tmp_path / "missing" / "out.jpg"
    with pytest.raises(FileNotFoundError) as info:
        jpeglite.write(path, RGB)
    assert str(path) in str(info.value)
    assert not path.parent.exists()


@pytest.mark.parametrize("kwargs", [{"image": RGB.astype(np.uint16)}, {"quality": 0},
                                    {"restart_interval": -1}, {"optimize": "no"}])
def test_write_checks_arguments_before_creating_the_file(tmp_path, kwargs):
    path = tmp_path / "out.jpg"
    args = {"image": RGB, **kwargs}
    with pytest.raises((TypeError, ValueError)):
        jpeglite.write(path, args.pop("image"), **args)
    assert not path.exists()


@pytest.mark.parametrize("path", [None, 3, 3.5, ["a.jpg"]])
def test_write_path_types(tmp_path, path):
    with pytest.raises(TypeError, match="path"):
        jpeglite.write(path, RGB)
    assert not any(tmp_path.iterdir())


def test_write_accepts_str_bytes_and_pathlike(tmp_path):
    for p in (str(tmp_path / "a.jpg"), bytes(tmp_path / "b.jpg"), tmp_path / "c.jpg"):
        assert jpeglite.write(p, RGB) == len(JPEG_DEFAULT)
        assert pathlib.Path(p.decode() if isinstance(p, bytes) else p).read_bytes() == JPEG_DEFAULT


# ---- read -------------------------------------------------------------------------------

def test_read_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.jpg"
    with pytest.raises(FileNotFoundError) as info:
        jpeglite.read(path)
    assert str(path) in str(info.value)


def test_read_directory_names_the_path(tmp_path):
    with pytest.raises(IsADirectoryError) as info:
        jpeglite.read(tmp_path)
    assert str(tmp_path) in str(info.value)


@pytest.mark.parametrize("path", [0, 1, None, 2.0])
def test_read_refuses_non_paths_without_opening_a_descriptor(path):
    # an int would otherwise be taken as a file descriptor (0 is stdin)
    with pytest.raises(TypeError, match="path"):
        jpeglite.read(path)


@pytest.mark.parametrize("bad", [0, -5, True, np.bool_(True), 1.0, "100", None, np.float64(9)])
def test_read_checks_max_pixels_before_opening(tmp_path, bad):
    with pytest.raises(ValueError, match="max_pixels"):
        jpeglite.read(tmp_path / "does-not-exist.jpg", max_pixels=bad)


def test_read_and_decode_agree(tmp_path):
    path = tmp_path / "x.jpg"
    path.write_bytes(JPEG)
    np.testing.assert_array_equal(jpeglite.read(path), jpeglite.decode(JPEG))
    np.testing.assert_array_equal(jpeglite.read(str(path).encode()), jpeglite.decode(JPEG))


# ---- decode -----------------------------------------------------------------------------

@pytest.mark.parametrize("data", ["\xff\xd8", None, 3, [255, 216], np.frombuffer(JPEG, np.uint8)])
def test_decode_data_types(data):
    with pytest.raises(TypeError, match="bytes"):
        jpeglite.decode(data)


def test_decode_accepts_bytes_likes():
    ref = jpeglite.decode(JPEG)
    for data in (bytearray(JPEG), memoryview(JPEG), memoryview(bytearray(JPEG))):
        np.testing.assert_array_equal(jpeglite.decode(data), ref)


@pytest.mark.parametrize("data", [b"", b"\xff", b"\xff\xd8", b"\x00" * 100])
def test_decode_empty_and_tiny_inputs_raise_jpegerror(data):
    with pytest.raises(jpeglite.JPEGError) as info:
        jpeglite.decode(data)
    assert 0 <= info.value.offset <= len(data)


@pytest.mark.parametrize("good", [np.int64(16 * 24), np.uint32(10 ** 9), 2 ** 80])
def test_max_pixels_accepts_any_integer(good):
    assert jpeglite.decode(JPEG, max_pixels=good).shape == RGB.shape


@pytest.mark.parametrize("bad", [np.bool_(False), np.float32(1e9), np.int64(0), -2 ** 80])
def test_max_pixels_refuses_non_positive_and_non_integers(bad):
    with pytest.raises(ValueError, match="max_pixels"):
        jpeglite.decode(JPEG, max_pixels=bad)


def test_max_pixels_is_keyword_only():
    with pytest.raises(TypeError):
        jpeglite.decode(JPEG, 10 ** 6)
