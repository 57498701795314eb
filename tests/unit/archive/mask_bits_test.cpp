// Masks are stored bit-packed in NumPy's packbits layout; these pin the layout h5py users rely on.

#include "archive/mask_bits.hpp"

#include <gtest/gtest.h>

#include "structlab/error.hpp"

namespace structlab {
namespace {

using archive::detail::pack_mask_bits;
using archive::detail::unpack_mask_bits;

TEST(MaskBits, FirstEntryGoesToTheMostSignificantBitAndRowsArePaddedWithZeros) {
  // np.packbits([[1,0,0,0,0,0,0,1, 1], [0,1,0,0,0,0,0,0, 0]], axis=-1) == [[0x81, 0x80], [0x40, 0x00]]
  torch::Tensor mask =
      torch::tensor({1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0}).view({2, 9}) != 0;
  torch::Tensor packed = pack_mask_bits(mask);
  ASSERT_EQ(packed.sizes(), (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(packed.scalar_type(), torch::kUInt8);
  EXPECT_EQ(packed[0][0].item<int>(), 0x81);
  EXPECT_EQ(packed[0][1].item<int>(), 0x80);
  EXPECT_EQ(packed[1][0].item<int>(), 0x40);
  EXPECT_EQ(packed[1][1].item<int>(), 0x00);
}

TEST(MaskBits, EveryRowLengthRoundTrips) {
  torch::Generator generator = at::detail::createCPUGenerator(3);
  for (std::int64_t length : {1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200}) {
    torch::Tensor mask = at::rand({5, length}, generator) < 0.5;
    torch::Tensor packed = pack_mask_bits(mask);
    EXPECT_EQ(packed.size(1), (length + 7) / 8);
    EXPECT_TRUE(torch::equal(unpack_mask_bits(packed, {5, length}), mask)) << "length " << length;
  }
}

TEST(MaskBits, AnyNonZeroValueIsActiveAndHigherRanksPackTheLastAxis) {
  torch::Tensor mask = torch::tensor({0.0, 2.5, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1e-30}).view({1, 1, 10});
  torch::Tensor packed = pack_mask_bits(mask);
  ASSERT_EQ(packed.sizes(), (std::vector<std::int64_t>{1, 1, 2}));
  EXPECT_EQ(packed[0][0][0].item<int>(), 0x60);
  EXPECT_EQ(packed[0][0][1].item<int>(), 0x40);
  EXPECT_TRUE(torch::equal(unpack_mask_bits(packed, {1, 1, 10}), mask != 0));
}

TEST(MaskBits, APackedArrayOfTheWrongShapeIsAnArchiveError) {
  torch::Tensor packed = torch::zeros({3, 2}, torch::kUInt8);
  try {
    unpack_mask_bits(packed, {3, 17});
    FAIL() << "expected ArchiveError";
  } catch (const ArchiveError& e) {
    EXPECT_NE(std::string(e.what()).find("[3, 17]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace structlab
