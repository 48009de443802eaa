// A growable array of trivially copyable values that, unlike std::vector, does not
// zero new elements on growth: the event path writes every slot it reserves, and the
// zeroing showed up as a sixth of the delivery time.
#pragma once
#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>

namespace apical {

template <class T> class PodBuffer {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T* data() { return data_.get(); }
    const T* data() const { return data_.get(); }
    T* begin() { return data(); }
    T* end() { return data() + size_; }
    const T* begin() const { return data(); }
    const T* end() const { return data() + size_; }
    T& operator[](std::size_t i) { return data_[i]; }
    const T& operator[](std::size_t i) const { return data_[i]; }
    void clear() { size_ = 0; }
    // Make room for n more elements and return a pointer to them (uninitialised).
    T* extend(std::size_t n) {
        if (size_ + n > cap_) grow(size_ + n);
        T* p = data() + size_;
        size_ += n;
        return p;
    }
    void push_back(const T& x) { *extend(1) = x; }
    void resize_uninitialised(std::size_t n) {
        if (n > cap_) grow(n);
        size_ = n;
    }
    void truncate(std::size_t n) { size_ = n < size_ ? n : size_; }
    void swap(PodBuffer& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        std::swap(cap_, o.cap_);
    }

private:
    void grow(std::size_t need) {
        std::size_t cap = cap_ ? cap_ : 64;
        while (cap < need) cap *= 2;
        std::unique_ptr<T[]> d(new T[cap]); // default-initialised: no zeroing for trivial T
        if (size_) std::memcpy(d.get(), data_.get(), size_ * sizeof(T));
        data_ = std::move(d);
        cap_ = cap;
    }
    std::unique_ptr<T[]> data_;
    std::size_t size_ = 0, cap_ = 0;
};

} // namespace apical
